#pragma once

#include <expected>
#include <stop_token>
#include <string>
#include <system_error>

// Store fetches the data a request asks for. Fetching can take a long time, so it stops
// early when `cancelled` is stop-requested, and then returns std::errc::operation_canceled:
// Go's (string, error).
class Store {
 public:
  virtual ~Store() = default;
  virtual std::expected<std::string, std::error_code> Fetch(std::stop_token cancelled) = 0;
};
