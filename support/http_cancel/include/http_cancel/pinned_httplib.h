#pragma once

// cpp-httplib, in the one release http_cancel is written for: it overrides and calls members
// that change from one release to the next (see http_cancel's README.md).
#include <httplib.h>

#include <string_view>

static_assert(std::string_view(CPPHTTPLIB_VERSION) == "0.53.1",
              "http_cancel is written for cpp-httplib 0.53.1 only: build with the pin in "
              "http_cancel's cmake/HttpCancelCppHttplib.cmake "
              "(its README says what to check before moving it)");
