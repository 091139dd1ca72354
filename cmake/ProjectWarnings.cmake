# The warnings the project's own code is held to (not fetched dependencies). They are errors
# where CMAKE_COMPILE_WARNING_AS_ERROR is on: in CI (CMakePresets.json turns it on when the
# environment variable CI is set), not on a learner's newer compiler with a new warning.
function(project_warnings target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4)
  else()
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion)
  endif()
endfunction()
