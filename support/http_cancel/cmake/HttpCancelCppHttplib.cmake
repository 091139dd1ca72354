# cpp-httplib for http_cancel, as the target http_cancel_httplib (installed and exported as
# http_cancel::httplib). http_cancel reaches into cpp-httplib's protected and virtual members,
# so it is written for one release only (see ../README.md).
#
# Where the source comes from, first that applies:
#   1. the variable or environment variable CPPHTTPLIB_SOURCE_DIR: a source folder (offline);
#   2. an installed cpp-httplib of exactly the pinned version (vcpkg, Conan), used as it is;
#   3. GitHub, at the pinned commit (needs git and a network, once per build folder).
# A source is compiled once, in upstream's split mode (httplib.h declares, httplib.cc defines),
# with the including project's flags, so that sanitizers and fuzzers see inside it.
include_guard(GLOBAL)
include(FetchContent)

set(HTTP_CANCEL_HTTPLIB_VERSION 0.53.1)
set(HTTP_CANCEL_HTTPLIB_COMMIT b8fe69e4e892ec394ca8de27ab2fe219008690b6)  # the tag v0.53.1

find_package(Threads REQUIRED)
if(NOT CPPHTTPLIB_SOURCE_DIR AND DEFINED ENV{CPPHTTPLIB_SOURCE_DIR})
  set(CPPHTTPLIB_SOURCE_DIR "$ENV{CPPHTTPLIB_SOURCE_DIR}")
endif()
if(CPPHTTPLIB_SOURCE_DIR)
  # FetchContent's own override: the folder is used, nothing is downloaded. Cached, so that a
  # build that configures again without the variable keeps to it.
  set(FETCHCONTENT_SOURCE_DIR_HTTP_CANCEL_CPP_HTTPLIB "${CPPHTTPLIB_SOURCE_DIR}" CACHE PATH
      "cpp-httplib's source, instead of GitHub (from CPPHTTPLIB_SOURCE_DIR)" FORCE)
endif()
if(NOT FETCHCONTENT_SOURCE_DIR_HTTP_CANCEL_CPP_HTTPLIB)
  find_package(httplib ${HTTP_CANCEL_HTTPLIB_VERSION} EXACT CONFIG QUIET)
endif()
if(httplib_FOUND)
  message(STATUS "cpp-httplib: installed ${httplib_VERSION} (${httplib_DIR})")
  add_library(http_cancel_httplib INTERFACE)
  target_link_libraries(http_cancel_httplib INTERFACE httplib::httplib)
  set(HTTP_CANCEL_HTTPLIB_INSTALLED TRUE)
  return()
endif()
set(HTTP_CANCEL_HTTPLIB_INSTALLED FALSE)

FetchContent_Declare(http_cancel_cpp_httplib
  GIT_REPOSITORY https://github.com/yhirose/cpp-httplib.git
  GIT_TAG ${HTTP_CANCEL_HTTPLIB_COMMIT}
  SOURCE_SUBDIR no-cmake)  # only the source: its own CMakeLists.txt is not used
FetchContent_MakeAvailable(http_cancel_cpp_httplib)
set(source "${http_cancel_cpp_httplib_SOURCE_DIR}")
file(STRINGS "${source}/httplib.h" version_line REGEX "define CPPHTTPLIB_VERSION ")
if(NOT version_line MATCHES "\"${HTTP_CANCEL_HTTPLIB_VERSION}\"")
  message(FATAL_ERROR "${source}/httplib.h is not cpp-httplib ${HTTP_CANCEL_HTTPLIB_VERSION} (${version_line})")
endif()

set(split "${CMAKE_BINARY_DIR}/http_cancel_cpp_httplib")
find_package(Python3 COMPONENTS Interpreter QUIET)
set(split_failed 1)
if(Python3_Interpreter_FOUND)
  execute_process(COMMAND "${Python3_EXECUTABLE}" "${source}/split.py" -o "${split}"
                  RESULT_VARIABLE split_failed OUTPUT_QUIET)
endif()
if(split_failed EQUAL 0)
  message(STATUS "cpp-httplib: ${HTTP_CANCEL_HTTPLIB_VERSION} from ${source}, compiled once")
  add_library(http_cancel_httplib STATIC "${split}/httplib.cc")
  # not our code: its warnings are upstream's, never errors of ours
  set_target_properties(http_cancel_httplib PROPERTIES POSITION_INDEPENDENT_CODE ON COMPILE_WARNING_AS_ERROR OFF)
  set(HTTP_CANCEL_HTTPLIB_HEADER "${split}/httplib.h")
  target_include_directories(http_cancel_httplib SYSTEM PUBLIC
    "$<BUILD_INTERFACE:${split}>" "$<INSTALL_INTERFACE:include/http_cancel/cpp-httplib>")
  target_link_libraries(http_cancel_httplib PUBLIC Threads::Threads)
else()
  message(STATUS "cpp-httplib: ${HTTP_CANCEL_HTTPLIB_VERSION} from ${source}, header-only "
                 "(no Python 3 to split it: every file that includes it compiles it)")
  add_library(http_cancel_httplib INTERFACE)
  set(HTTP_CANCEL_HTTPLIB_HEADER "${source}/httplib.h")
  target_include_directories(http_cancel_httplib SYSTEM INTERFACE
    "$<BUILD_INTERFACE:${source}>" "$<INSTALL_INTERFACE:include/http_cancel/cpp-httplib>")
  target_link_libraries(http_cancel_httplib INTERFACE Threads::Threads)
endif()
set_target_properties(http_cancel_httplib PROPERTIES EXPORT_NAME httplib)
unset(source)
unset(split)
