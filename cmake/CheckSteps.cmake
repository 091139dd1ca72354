# The kata's promises about its step folders, checked as a test (cmake -P):
#   - every step has the same file names, and the same CMakeLists.txt, byte for byte;
#   - no code in a step names a step, so that `diff -ru` between steps shows only the lesson;
#   - `ctest -R stepNN` selects that step's tests, and no other's.
# Called with -DSOURCE_DIR=... -DBINARY_DIR=...
file(GLOB steps LIST_DIRECTORIES true RELATIVE "${SOURCE_DIR}" "${SOURCE_DIR}/step[0-9][0-9]_*")
list(SORT steps)
list(LENGTH steps count)
if(count LESS 2)
  message(FATAL_ERROR "expected several step folders, found: ${steps}")
endif()

set(problems "")
list(GET steps 0 first)
file(GLOB first_files RELATIVE "${SOURCE_DIR}/${first}" "${SOURCE_DIR}/${first}/*")
list(SORT first_files)
file(READ "${SOURCE_DIR}/${first}/CMakeLists.txt" first_cmake)
foreach(step IN LISTS steps)
  file(GLOB files RELATIVE "${SOURCE_DIR}/${step}" "${SOURCE_DIR}/${step}/*")
  list(SORT files)
  if(NOT files STREQUAL first_files)
    string(APPEND problems "  ${step} has the files [${files}], ${first} has [${first_files}]\n")
  endif()
  file(READ "${SOURCE_DIR}/${step}/CMakeLists.txt" cmake)
  if(NOT cmake STREQUAL first_cmake)
    string(APPEND problems "  ${step}/CMakeLists.txt differs from ${first}/CMakeLists.txt\n")
  endif()
  foreach(file IN LISTS files)
    file(STRINGS "${SOURCE_DIR}/${step}/${file}" named REGEX "step[0-9][0-9]")
    if(named)
      string(APPEND problems "  ${step}/${file} names a step: ${named}\n")
    endif()
  endforeach()

  string(SUBSTRING "${step}" 0 6 short)  # "step03"
  execute_process(COMMAND "${CMAKE_CTEST_COMMAND}" -N -R "${short}"
                  WORKING_DIRECTORY "${BINARY_DIR}" OUTPUT_VARIABLE listed RESULT_VARIABLE failed)
  string(REGEX MATCHALL "Test +#[0-9]+: [^\n]+" tests "${listed}")
  if(failed OR NOT tests)
    string(APPEND problems "  ctest -R ${short} selects no test\n")
  endif()
  foreach(test IN LISTS tests)
    if(NOT test MATCHES ": ${step}\\.")
      string(APPEND problems "  ctest -R ${short} selects ${test}, which is not ${step}'s\n")
    endif()
  endforeach()
endforeach()

if(problems)
  message(FATAL_ERROR "The step folders break the kata's promises:\n${problems}")
endif()
message(STATUS "${count} steps: same files, same CMakeLists.txt, no step names in code, ctest -R selects one step")
