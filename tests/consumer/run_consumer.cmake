# SPDX-License-Identifier: Apache-2.0
# ctest driver: install the build tree into a fresh prefix, then configure, build and run the
# consumer project and the examples (ccrec-export included) against it.
# Variables: BUILD_DIR, SOURCE_DIR, EXAMPLES_DIR, WORK_DIR, UNITY (the tree's CCREC_UNITY_BUILD).
file(REMOVE_RECURSE "${WORK_DIR}")
include(ProcessorCount)
ProcessorCount(jobs)  # the consumer builds use every core (0: unknown, one job)
if(jobs EQUAL 0)
  set(jobs 1)
endif()
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()
# Runs a command that must exit with `expected_rc` and print `expected_text` on stderr.
function(run_expect expected_rc expected_text)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL expected_rc)
    message(FATAL_ERROR "expected exit status ${expected_rc}, got ${rc}: ${ARGN}\n${out}\n${err}")
  endif()
  string(FIND "${err}" "${expected_text}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "expected \"${expected_text}\" on stderr of ${ARGN}, got:\n${err}")
  endif()
endfunction()
run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${WORK_DIR}/prefix")
foreach(f include/ccrec/core/result.hpp bin/ccrec-export)
  if(NOT EXISTS "${WORK_DIR}/prefix/${f}")
    message(FATAL_ERROR "installed tree lacks ${f}")
  endif()
endforeach()
file(GLOB_RECURSE config "${WORK_DIR}/prefix/*/ccrecConfig.cmake")
if(NOT config)
  message(FATAL_ERROR "installed tree lacks ccrecConfig.cmake")
endif()
# Public headers must not include curl, OpenSSL, rapidjson, fmt or src/'s internal headers.
file(GLOB_RECURSE headers "${WORK_DIR}/prefix/include/ccrec/*.hpp")
foreach(h ${headers})
  file(STRINGS "${h}" bad REGEX "#include *(<(curl|openssl|rapidjson|fmt)/|[<\"]internal/)")
  if(bad)
    message(FATAL_ERROR "public header ${h} includes a private dependency: ${bad}")
  endif()
endforeach()
run(${CMAKE_COMMAND} -S "${SOURCE_DIR}" -B "${WORK_DIR}/build" "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix")
run(${CMAKE_COMMAND} --build "${WORK_DIR}/build" --parallel ${jobs})
run("${WORK_DIR}/build/consumer_umbrella")
run("${WORK_DIR}/build/consumer_areas")
# The optional areas: the consumer builds a program for each one the package has.
foreach(area webex_login manifest_sqlite)
  file(GLOB library "${WORK_DIR}/prefix/lib*/libccrec_${area}.*" "${WORK_DIR}/prefix/lib/*/libccrec_${area}.*")
  if(library AND NOT EXISTS "${WORK_DIR}/build/consumer_${area}")
    message(FATAL_ERROR "the package has ccrec::${area} but the consumer did not build consumer_${area}")
  elseif(library)
    run("${WORK_DIR}/build/consumer_${area}")
  endif()
endforeach()
run("${WORK_DIR}/prefix/bin/ccrec-export" --version)

# The examples, the reference CLI included, are consumers too: built from the installed headers
# and the exported per-area targets only (no src/ on their include path).
run(${CMAKE_COMMAND} -S "${EXAMPLES_DIR}" -B "${WORK_DIR}/examples" "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix"
    "-DCCREC_UNITY_BUILD=${UNITY}")
run(${CMAKE_COMMAND} --build "${WORK_DIR}/examples" --parallel ${jobs})
run("${WORK_DIR}/examples/ccrec-export" --version)
# Usage errors come from the public parsers (ccrec::ParseTimestamp) and exit with status 2.
run_expect(2 "--from: \"2026-11-01T00:00:00\" is not a time: the time has no zone"
  "${WORK_DIR}/examples/ccrec-export" webex --dest "${WORK_DIR}/out" --from 2026-11-01T00:00:00
  --to 2026-11-02T00:00:00Z)
