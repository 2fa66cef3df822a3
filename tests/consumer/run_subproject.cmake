# SPDX-License-Identifier: Apache-2.0
# ctest driver (consumer.add_subdirectory): configures tests/consumer/subproject, which adds the
# ccrec source tree with add_subdirectory() without setting BUILD_SHARED_LIBS or
# CMAKE_BUILD_TYPE, and builds and runs only its one program (ccrec::core, static, unoptimised).
# Variables: SOURCE_DIR (ccrec), WORK_DIR, GENERATOR, CXX_COMPILER, LAUNCHER (optional).
file(REMOVE_RECURSE "${WORK_DIR}")
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()
set(launcher "")
if(LAUNCHER)
  set(launcher "-DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER}")
endif()
run(${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/consumer/subproject" -B "${WORK_DIR}" -G "${GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" ${launcher} "-DCCREC_SOURCE_DIR=${SOURCE_DIR}"
    "-DEXPECTED_BUILD_TYPE=")
run(${CMAKE_COMMAND} --build "${WORK_DIR}" --target subproject_app)
run("${WORK_DIR}/subproject_app")
