# SPDX-License-Identifier: Apache-2.0
# ctest demo.script: runs the README's scripts/demo.sh with this tree's ccrec-export (no build of
# its own) on a small emulated day, and checks what a user would see: exit status 0, a first run
# that exports and fails nothing, and a second run that skips everything and downloads nothing.
# Variables: SOURCE_DIR, EXPORT_BIN, TASKS.
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env CCREC_EXPORT_BIN=${EXPORT_BIN} DEMO_TASKS=${TASKS} bash ${SOURCE_DIR}/scripts/demo.sh
  WORKING_DIRECTORY ${SOURCE_DIR}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "scripts/demo.sh exited with ${rc}:\n${err}")
endif()
string(REGEX MATCHALL "exported=[0-9]+ skipped=[0-9]+ failed=[0-9]+ pending=[0-9]+" runs "${out}")
list(LENGTH runs n)
if(NOT n EQUAL 2)
  message(FATAL_ERROR "expected the summaries of two runs, got ${n}: ${runs}\n${err}")
endif()
list(GET runs 0 first)
list(GET runs 1 second)
if(NOT first MATCHES "^exported=[1-9][0-9]* skipped=0 failed=0 ")
  message(FATAL_ERROR "the first run must export and fail nothing: ${first}\n${err}")
endif()
if(NOT second MATCHES "^exported=0 skipped=[1-9][0-9]* failed=0 ")
  message(FATAL_ERROR "the second run must skip everything: ${second}\n${err}")
endif()
