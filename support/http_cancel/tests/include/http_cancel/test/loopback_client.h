#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <gtest/gtest.h>

#include "http_cancel/unique_fd.h"

namespace http_cancel::test {

// How long a test waits at most for what a correct server does at once. Generous: under
// ThreadSanitizer, on a loaded machine, it takes milliseconds.
inline constexpr std::chrono::seconds kPatience{5};

// "5 s", "300 ms": a patience, in a failure message.
std::string ToText(std::chrono::milliseconds patience);

struct Response {
  int status = 0;
  std::string body;
};

// What Read() got: a response, or nothing and why. `ASSERT_TRUE(response)` says which:
// (no response within 5 s: the server sent nothing and kept the connection open).
class Reply : public std::optional<Response> {
 public:
  Reply(Response response) : std::optional<Response>(std::move(response)) {}
  explicit Reply(std::string why_none) : why_none_(std::move(why_none)) {}

  operator testing::AssertionResult() const;

 private:
  std::string why_none_;
};

// A raw HTTP/1.1 client over 127.0.0.1, for tests that need what a browser does without
// asking: hang up in the middle of a request, pipeline requests, or send garbage.
class Client {
 public:
  explicit Client(int port);  // connects; throws std::system_error when it cannot

  void Send(std::string_view bytes);
  void Get(std::string_view target = "/");  // sends one GET; does not wait for the answer

  // Reads one response; none when the server closed the connection first, or when none
  // came within `patience` (a bound against hanging, not a verdict).
  Reply Read(std::chrono::milliseconds patience = kPatience);
  // True when the server closes the connection, sending nothing more, within `patience`.
  testing::AssertionResult ClosedByServer(std::chrono::milliseconds patience = kPatience);

  // Closes the connection: what a client that gives up does.
  void HangUp();
  // Says "no more requests" but keeps reading (shutdown(SHUT_WR)).
  void StopSending();

  int socket() const { return socket_.get(); }

 private:
  // Reads more bytes into `received_`; false on close, error, or timeout, and then says which.
  bool Receive(std::chrono::steady_clock::time_point deadline, std::string& why_not);

  http_cancel::UniqueFd socket_;
  std::string received_;
};

}  // namespace http_cancel::test
