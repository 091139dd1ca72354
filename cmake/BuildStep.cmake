# The setup test of a step's CTest fixture, "<step>.build" (see KataStep.cmake): builds the
# step, so that `ctest -R stepNN` runs what the folder holds now. Fails when the step does not
# build, and when the build changed the step's list of tests (a test added or removed in the
# sources): this run of ctest read the list before, and would skip the new test.
#   cmake -DBINARY_DIR= -DCONFIG= -DSTEP= -DTARGETS=a,b -DTESTS=x,y -DTESTFILE= -P BuildStep.cmake
# (TESTFILE: the CTestTestfile.cmake of the step, where its tests are listed).
string(REPLACE "," ";" targets "${TARGETS}")
execute_process(COMMAND "${CMAKE_COMMAND}" --build "${BINARY_DIR}" --config "${CONFIG}" --target ${targets}
                RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "${STEP} does not build: the compiler's messages are above")
endif()

file(STRINGS "${TESTFILE}" lines REGEX "^add_test\\(\\[=\\[")
set(now "")
foreach(line IN LISTS lines)
  if(line MATCHES "^add_test\\(\\[=\\[([^]]+)\\]=\\]" AND NOT CMAKE_MATCH_1 STREQUAL "${STEP}.build")
    list(APPEND now "${CMAKE_MATCH_1}")
  endif()
endforeach()
string(REPLACE "," ";" before "${TESTS}")
list(SORT now)
list(SORT before)
if(NOT now STREQUAL before)
  set(added ${now})
  set(removed ${before})
  if(before)
    list(REMOVE_ITEM added ${before})
  endif()
  if(now)
    list(REMOVE_ITEM removed ${now})
  endif()
  set(changes "")
  if(added)
    list(JOIN added " " added)
    string(APPEND changes " New: ${added}.")
  endif()
  if(removed)
    list(JOIN removed " " removed)
    string(APPEND changes " Gone: ${removed}.")
  endif()
  message(FATAL_ERROR "${STEP}'s tests changed since this ctest run read their list.${changes} "
                      "The step builds: run the same ctest command again to run its tests.")
endif()
