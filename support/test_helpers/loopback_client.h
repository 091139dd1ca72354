#pragma once

#include <chrono>

#include "http_cancel/test/loopback_client.h"
#include "support/test_helpers/watchdog.h"

namespace loopback {

using http_cancel::test::Reply;
using http_cancel::test::Response;

// A raw HTTP/1.1 client over 127.0.0.1 (http_cancel's, for its own tests), whose reads the
// watchdog lets end by themselves: a read that gets nothing fails its test with its own message.
class Client : public http_cancel::test::Client {
 public:
  using http_cancel::test::Client::Client;

  Reply Read(std::chrono::milliseconds patience = watchdog::kPatience) {
    const watchdog::BoundedWait bounded;
    return http_cancel::test::Client::Read(patience);
  }
  testing::AssertionResult ClosedByServer(std::chrono::milliseconds patience = watchdog::kPatience) {
    const watchdog::BoundedWait bounded;
    return http_cancel::test::Client::ClosedByServer(patience);
  }
};

}  // namespace loopback
