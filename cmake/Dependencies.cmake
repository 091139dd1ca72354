# Finds GoogleTest/GoogleMock and cpp-httplib, or fetches the pinned, tested releases, with
# http_cancel's own rules (support/http_cancel/cmake/): the steps build against the same cpp-httplib
# as the library. Configure says which of each is used, and where it comes from.
list(APPEND CMAKE_MODULE_PATH "${PROJECT_SOURCE_DIR}/support/http_cancel/cmake")
include(HttpCancelGoogleTest)   # GTest::gtest, GTest::gmock, GTest::gtest_main
include(HttpCancelCppHttplib)   # http_cancel_httplib: cpp-httplib 0.53.1, compiled once
add_library(cpp_httplib ALIAS http_cancel_httplib)
