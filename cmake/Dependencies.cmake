# Finds GoogleTest/GoogleMock and cpp-httplib, or fetches the pinned, tested releases.
#
# Installed packages win (Debian: libgtest-dev libgmock-dev libcpp-httplib-dev).
# When one is missing, or its version is not one we test, the pinned release is
# fetched instead (macOS and Windows learners), and configure says so.
include(FetchContent)

set(PINNED_GOOGLETEST_TAG release-1.12.1)
# The http_cancel library reaches into cpp-httplib's protected and virtual members;
# it is tested against this release only (see http_cancel/README.md).
set(PINNED_HTTPLIB_VERSION 0.11.4)

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
# Debian ships it as a compiled library with a pkg-config file; its compile flags
# (CPPHTTPLIB_*_SUPPORT) change the layout of httplib::Request, so they must be used as given.
# HTTPLIB_SOURCE_DIR, when set, names a checkout of the header-only release to use
# instead: sanitizers then see inside cpp-httplib too (see .ci/run).
set(HTTPLIB_SOURCE_DIR "" CACHE PATH "A cpp-httplib ${PINNED_HTTPLIB_VERSION} source tree to build against instead of the installed library")
add_library(cpp_httplib INTERFACE)
if(NOT HTTPLIB_SOURCE_DIR)
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_check_modules(HTTPLIB QUIET IMPORTED_TARGET cpp-httplib)
  endif()
  if(HTTPLIB_FOUND AND HTTPLIB_VERSION VERSION_EQUAL PINNED_HTTPLIB_VERSION)
    message(STATUS "cpp-httplib: installed ${HTTPLIB_VERSION} (compiled library)")
    target_link_libraries(cpp_httplib INTERFACE PkgConfig::HTTPLIB)
  else()
    if(HTTPLIB_FOUND)
      message(WARNING "cpp-httplib ${HTTPLIB_VERSION} is installed, but http_cancel is tested "
                      "with ${PINNED_HTTPLIB_VERSION} only; fetching ${PINNED_HTTPLIB_VERSION} instead.")
    else()
      message(STATUS "cpp-httplib: not installed; fetching ${PINNED_HTTPLIB_VERSION}")
    endif()
    FetchContent_Declare(cpp_httplib_release
      GIT_REPOSITORY https://github.com/yhirose/cpp-httplib.git
      GIT_TAG v${PINNED_HTTPLIB_VERSION}
      GIT_SHALLOW TRUE)
    FetchContent_GetProperties(cpp_httplib_release)
    if(NOT cpp_httplib_release_POPULATED)
      FetchContent_Populate(cpp_httplib_release)
    endif()
    set(HTTPLIB_SOURCE_DIR "${cpp_httplib_release_SOURCE_DIR}")
  endif()
endif()
if(HTTPLIB_SOURCE_DIR)
  if(NOT EXISTS "${HTTPLIB_SOURCE_DIR}/httplib.h")
    message(FATAL_ERROR "HTTPLIB_SOURCE_DIR=${HTTPLIB_SOURCE_DIR} has no httplib.h")
  endif()
  file(STRINGS "${HTTPLIB_SOURCE_DIR}/httplib.h" version_line REGEX "define CPPHTTPLIB_VERSION")
  if(NOT version_line MATCHES "\"${PINNED_HTTPLIB_VERSION}\"")
    message(FATAL_ERROR "${HTTPLIB_SOURCE_DIR}/httplib.h is not cpp-httplib ${PINNED_HTTPLIB_VERSION} (${version_line})")
  endif()
  find_package(Threads REQUIRED)
  # Compiled once, as Debian does, when its split.py can run: every file that includes the
  # header-only httplib.h compiles all of it, which is slow (under sanitizers, very slow).
  set(split "${CMAKE_BINARY_DIR}/cpp-httplib-split")
  find_package(Python3 COMPONENTS Interpreter QUIET)
  set(split_failed 1)
  if(Python3_Interpreter_FOUND AND EXISTS "${HTTPLIB_SOURCE_DIR}/split.py")
    execute_process(COMMAND "${Python3_EXECUTABLE}" "${HTTPLIB_SOURCE_DIR}/split.py" -o "${split}"
                    RESULT_VARIABLE split_failed OUTPUT_QUIET ERROR_QUIET)
  endif()
  if(split_failed EQUAL 0)
    message(STATUS "cpp-httplib: ${PINNED_HTTPLIB_VERSION} compiled from ${HTTPLIB_SOURCE_DIR}")
    add_library(cpp_httplib_compiled STATIC "${split}/httplib.cc")
    target_include_directories(cpp_httplib_compiled SYSTEM PUBLIC "${split}")
    target_link_libraries(cpp_httplib_compiled PUBLIC Threads::Threads)
    target_link_libraries(cpp_httplib INTERFACE cpp_httplib_compiled)
  else()
    message(STATUS "cpp-httplib: header-only ${PINNED_HTTPLIB_VERSION} from ${HTTPLIB_SOURCE_DIR}")
    target_include_directories(cpp_httplib SYSTEM INTERFACE "${HTTPLIB_SOURCE_DIR}")
    target_link_libraries(cpp_httplib INTERFACE Threads::Threads)
  endif()
endif()
