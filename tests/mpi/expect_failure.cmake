# Runs COMMAND (a ;-separated list) and passes only if it exits non-zero within TIMEOUT
# seconds and its output matches EXPECT:
#   cmake -DCOMMAND="mpirun;-np;2;probe;rank-fails" -DEXPECT="rank 1 of 2: error" -DTIMEOUT=20 -P expect_failure.cmake
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT ${TIMEOUT})
set(all "${out}${err}")
if(code STREQUAL "0")
  message(FATAL_ERROR "expected a failure, but the job succeeded:\n${all}")
endif()
if(NOT code MATCHES "^[0-9]+$")
  message(FATAL_ERROR "the job did not end by itself (${code}) within ${TIMEOUT} s:\n${all}")
endif()
if(NOT all MATCHES "${EXPECT}")
  message(FATAL_ERROR "the job failed (exit ${code}) without the expected message '${EXPECT}':\n${all}")
endif()
message(STATUS "failed as expected (exit ${code}) with '${EXPECT}'")
