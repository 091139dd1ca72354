# Finds GoogleTest/GoogleMock and cpp-httplib, or fetches the pinned, tested releases.
#
# An installed GoogleTest wins (Debian: libgtest-dev libgmock-dev). cpp-httplib is built from
# source with the project's own flags, so that the sanitizers and the fuzzer see inside it.
# Configure says which of each is used, and where it comes from.
include(FetchContent)

set(PINNED_GOOGLETEST_TAG release-1.12.1)
# The http_cancel library reaches into cpp-httplib's protected and virtual members;
# it is written for this release only (see http_cancel/README.md).
set(PINNED_HTTPLIB_VERSION 0.53.1)
set(PINNED_HTTPLIB_COMMIT b8fe69e4e892ec394ca8de27ab2fe219008690b6)  # the tag v0.53.1

# ---- GoogleTest and GoogleMock ---------------------------------------------
find_package(GTest 1.12 QUIET)
if(GTest_FOUND AND TARGET GTest::gmock)
  message(STATUS "GoogleTest: installed ${GTest_VERSION}")
else()
  message(STATUS "GoogleTest: not installed (or no GoogleMock); fetching ${PINNED_GOOGLETEST_TAG}")
  set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
  set(gtest_force_shared_crt ON CACHE BOOL "" FORCE)  # Windows: match the project's runtime
  FetchContent_Declare(googletest
    GIT_REPOSITORY https://github.com/google/googletest.git
    GIT_TAG ${PINNED_GOOGLETEST_TAG}
    GIT_SHALLOW TRUE)
  FetchContent_MakeAvailable(googletest)
  foreach(library gtest gtest_main gmock)
    if(NOT TARGET GTest::${library})  # GoogleTest 1.12 names them so itself
      add_library(GTest::${library} ALIAS ${library})
    endif()
  endforeach()
endif()

# ---- cpp-httplib -------------------------------------------------------------
# Where its source comes from, first that applies:
#   1. the environment variable CPPHTTPLIB_SOURCE_DIR: a source folder (offline, as CI does);
#   2. an installed cpp-httplib of exactly the pinned version (vcpkg, Conan), used as it is;
#   3. GitHub, at the pinned commit (needs git and a network, once per build folder).
add_library(cpp_httplib INTERFACE)
find_package(Threads REQUIRED)
if(DEFINED ENV{CPPHTTPLIB_SOURCE_DIR})
  # FetchContent's own override: the folder is used, nothing is downloaded. Cached, so that
  # a build that configures again without the variable keeps to it.
  set(FETCHCONTENT_SOURCE_DIR_CPP_HTTPLIB "$ENV{CPPHTTPLIB_SOURCE_DIR}" CACHE PATH
      "cpp-httplib's source, instead of GitHub (from CPPHTTPLIB_SOURCE_DIR)" FORCE)
endif()
if(NOT FETCHCONTENT_SOURCE_DIR_CPP_HTTPLIB)
  find_package(httplib ${PINNED_HTTPLIB_VERSION} EXACT CONFIG QUIET)
endif()
if(httplib_FOUND)
  message(STATUS "cpp-httplib: installed ${httplib_VERSION} (${httplib_DIR})")
  target_link_libraries(cpp_httplib INTERFACE httplib::httplib)
  return()
endif()

FetchContent_Declare(cpp_httplib
  GIT_REPOSITORY https://github.com/yhirose/cpp-httplib.git
  GIT_TAG ${PINNED_HTTPLIB_COMMIT}
  SOURCE_SUBDIR no-cmake)  # only the source: its own CMakeLists.txt is not used
FetchContent_MakeAvailable(cpp_httplib)
set(httplib_source "${cpp_httplib_SOURCE_DIR}")
file(STRINGS "${httplib_source}/httplib.h" version_line REGEX "define CPPHTTPLIB_VERSION ")
if(NOT version_line MATCHES "\"${PINNED_HTTPLIB_VERSION}\"")
  message(FATAL_ERROR "${httplib_source}/httplib.h is not cpp-httplib ${PINNED_HTTPLIB_VERSION} (${version_line})")
endif()

# Compiled once, in upstream's split mode (httplib.h declares, httplib.cc defines): included
# whole, its 22,000 lines would be compiled again in every file that includes it.
set(split "${CMAKE_BINARY_DIR}/cpp-httplib")
find_package(Python3 COMPONENTS Interpreter QUIET)
set(split_failed 1)
if(Python3_Interpreter_FOUND)
  execute_process(COMMAND "${Python3_EXECUTABLE}" "${httplib_source}/split.py" -o "${split}"
                  RESULT_VARIABLE split_failed OUTPUT_QUIET)
endif()
if(split_failed EQUAL 0)
  message(STATUS "cpp-httplib: ${PINNED_HTTPLIB_VERSION} from ${httplib_source}, compiled once")
  add_library(cpp_httplib_compiled STATIC "${split}/httplib.cc")
  target_include_directories(cpp_httplib_compiled SYSTEM PUBLIC "${split}")
  target_link_libraries(cpp_httplib_compiled PUBLIC Threads::Threads)
  target_link_libraries(cpp_httplib INTERFACE cpp_httplib_compiled)
else()
  message(STATUS "cpp-httplib: ${PINNED_HTTPLIB_VERSION} from ${httplib_source}, header-only "
                 "(no Python 3 to split it: every file that includes it compiles it)")
  target_include_directories(cpp_httplib SYSTEM INTERFACE "${httplib_source}")
  target_link_libraries(cpp_httplib INTERFACE Threads::Threads)
endif()
