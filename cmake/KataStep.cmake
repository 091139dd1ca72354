# kata_step(): everything a step folder builds, so that every step's CMakeLists.txt
# is the same one line. The step's name is its folder's name.
#
#   <step>_lesson  the lesson: server.cpp and slow_store.cpp (a library)
#   <step>_tests   server_test.cpp (unit tests) and loopback_test.cpp (a real server and client)
#   <step>_server  main.cpp, the runnable server
# Where there is no real server (http_cancel needs Linux), <step>_tests has the unit tests only.
#
# Every CTest test is named "<step>.<Suite>.<Test>" and labelled <step>, so
# `ctest -R step03` runs step03's tests and no other step's. That command is honest on its own:
# the tests are found in the sources (not by running a program that may not build), and they
# need the fixture "<step>.build", a test that first builds the step, so that a compile error
# is a failed test that shows the compiler's message, never a pass of an older program.
#
# With -DKATA_RED=ON there is also <step>_red_tests (not built by default): the step's tests
# against the previous step's code, the red of red-green (step01's tests meet no code at all:
# kata/before_step01/). kata/prove-red-green builds and runs them.

# What a step's tests are (kata/test_files.txt); everything else in a step folder is the
# lesson's code. kata/start and kata/solution read the same list.
file(STRINGS "${PROJECT_SOURCE_DIR}/kata/test_files.txt" KATA_TEST_FILES REGEX "^[^#]")
set_property(DIRECTORY "${PROJECT_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  "${PROJECT_SOURCE_DIR}/kata/test_files.txt")
option(KATA_RED "Also build every step's tests against the previous step's code" OFF)
if(KATA_RED)
  # Which compiler produced the red outputs: kata/prove-red-green compares only like with like.
  file(WRITE "${PROJECT_BINARY_DIR}/kata_compiler.txt"
    "${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}\n")
endif()

function(kata_step)
  cmake_path(GET CMAKE_CURRENT_SOURCE_DIR FILENAME step)
  kata_step_targets(${step} "${CMAKE_CURRENT_SOURCE_DIR}" "${CMAKE_CURRENT_SOURCE_DIR}")
  gtest_add_tests(TARGET ${step}_tests TEST_PREFIX "${step}." TEST_LIST tests)
  set_tests_properties(${tests} PROPERTIES LABELS "${step}" TIMEOUT 20 FIXTURES_REQUIRED ${step}.build)

  # The fixture's setup test builds the step (cmake/BuildStep.cmake). One build at a time in
  # a tree: two would race on the same files.
  set(targets ${step}_tests)
  if(TARGET ${step}_server)
    list(APPEND targets ${step}_server)
  endif()
  string(JOIN "," targets ${targets})
  string(JOIN "," tests_read ${tests})
  add_test(NAME ${step}.build
    COMMAND "${CMAKE_COMMAND}" -DBINARY_DIR=${PROJECT_BINARY_DIR} -DCONFIG=$<CONFIG> -DSTEP=${step}
            -DTARGETS=${targets} -DTESTS=${tests_read}
            -DTESTFILE=${CMAKE_CURRENT_BINARY_DIR}/CTestTestfile.cmake
            -P "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/BuildStep.cmake")
  set_tests_properties(${step}.build PROPERTIES
    LABELS "${step}" FIXTURES_SETUP ${step}.build RESOURCE_LOCK build_tree TIMEOUT 900)

  if(KATA_RED)
    file(GLOB steps LIST_DIRECTORIES true "${PROJECT_SOURCE_DIR}/step[0-9][0-9]_*")
    list(SORT steps)
    list(FIND steps "${CMAKE_CURRENT_SOURCE_DIR}" index)
    if(index EQUAL 0)
      set(previous "${PROJECT_SOURCE_DIR}/kata/before_step01")
    else()
      math(EXPR index "${index} - 1")
      list(GET steps ${index} previous)
    endif()
    # Only the tests are copied: the previous step's headers are found beside its code.
    set(red_tests "${CMAKE_CURRENT_BINARY_DIR}/red_tests")
    foreach(file IN LISTS KATA_TEST_FILES)
      configure_file("${file}" "${red_tests}/${file}" COPYONLY)
    endforeach()
    kata_step_targets(${step}_red "${previous}" "${red_tests}")
    set_target_properties(${step}_red_lesson ${step}_red_tests PROPERTIES EXCLUDE_FROM_ALL TRUE)
    if(TARGET ${step}_red_server)
      set_target_properties(${step}_red_server PROPERTIES EXCLUDE_FROM_ALL TRUE)
    endif()
  endif()
endfunction()

# Builds a step's targets from two folders: the lesson's code from `lesson_dir`,
# the tests from `tests_dir`. They are the same folder but in kata mode, where a step's
# tests meet the previous step's code (the red of red-green).
function(kata_step_targets name lesson_dir tests_dir)
  add_library(${name}_lesson STATIC "${lesson_dir}/server.cpp" "${lesson_dir}/slow_store.cpp")
  target_include_directories(${name}_lesson PUBLIC "${lesson_dir}")
  target_link_libraries(${name}_lesson PUBLIC cpp_httplib event_log)
  project_warnings(${name}_lesson)

  add_executable(${name}_tests "${tests_dir}/server_test.cpp")
  # The step's own test doubles come first, before the lesson's folder.
  target_include_directories(${name}_tests BEFORE PRIVATE "${tests_dir}")
  # test_main: a test that hangs ends within seconds, saying what it waited for (support/test_helpers/watchdog.h).
  target_link_libraries(${name}_tests PRIVATE ${name}_lesson test_main)
  project_warnings(${name}_tests)

  if(TARGET http_cancel)
    target_sources(${name}_tests PRIVATE "${tests_dir}/loopback_test.cpp")
    target_link_libraries(${name}_tests PRIVATE test_helpers)
    add_executable(${name}_server "${lesson_dir}/main.cpp")
    target_link_libraries(${name}_server PRIVATE ${name}_lesson demo_server)
    project_warnings(${name}_server)
  endif()
endfunction()
