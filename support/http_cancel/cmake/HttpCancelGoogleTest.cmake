# GoogleTest and GoogleMock, for tests: an installed GoogleTest wins (Debian: libgtest-dev
# libgmock-dev), else the pinned release is fetched. Either way: GTest::gtest, GTest::gmock,
# GTest::gtest_main.
include_guard(GLOBAL)
include(FetchContent)

find_package(GTest 1.12 QUIET)
if(GTest_FOUND AND TARGET GTest::gmock)
  message(STATUS "GoogleTest: installed ${GTest_VERSION}")
else()
  message(STATUS "GoogleTest: not installed (or no GoogleMock); fetching release-1.12.1")
  set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
  set(gtest_force_shared_crt ON CACHE BOOL "" FORCE)  # Windows: match the project's runtime
  FetchContent_Declare(googletest
    GIT_REPOSITORY https://github.com/google/googletest.git
    GIT_TAG release-1.12.1
    GIT_SHALLOW TRUE)
  FetchContent_MakeAvailable(googletest)
  foreach(library gtest gtest_main gmock gmock_main)
    # not our code: a newer compiler's new warning in it must not stop the build
    set_target_properties(${library} PROPERTIES COMPILE_WARNING_AS_ERROR OFF)
    if(NOT TARGET GTest::${library})  # GoogleTest 1.12 names them so itself
      add_library(GTest::${library} ALIAS ${library})
    endif()
  endforeach()
endif()
