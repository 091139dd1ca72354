#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "http_cancel/unique_fd.h"

namespace loopback {

struct Response {
  int status = 0;
  std::string body;
};

// A raw HTTP/1.1 client over 127.0.0.1, for tests that need what a browser does without
// asking: hang up in the middle of a request, pipeline requests, or send garbage.
class Client {
 public:
  explicit Client(int port);  // connects; throws std::system_error when it cannot

  void Send(std::string_view bytes);
  void Get(std::string_view target = "/");  // sends one GET; does not wait for the answer

  // Reads one response; nullopt when the server closed the connection first, or when none
  // came within `patience` (a bound against hanging, not a verdict).
  std::optional<Response> Read(std::chrono::milliseconds patience = std::chrono::seconds(5));
  // True when the server closes the connection, sending nothing more, within `patience`.
  bool ClosedByServer(std::chrono::milliseconds patience = std::chrono::seconds(5));

  // Closes the connection: what a client that gives up does.
  void HangUp();
  // Says "no more requests" but keeps reading (shutdown(SHUT_WR)).
  void StopSending();

  int socket() const { return socket_.get(); }

 private:
  // Reads more bytes into `received_`; false on close, error, or timeout.
  bool Receive(std::chrono::steady_clock::time_point deadline);

  http_cancel::UniqueFd socket_;
  std::string received_;
};

}  // namespace loopback
