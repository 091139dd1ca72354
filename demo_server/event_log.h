#pragma once

#include <cstdio>
#include <string_view>

// Where a runnable server tells what happens: "fetch started", "client gone", ...
// Print() is called from many threads at once.
class EventLog {
 public:
  virtual ~EventLog() = default;
  virtual void Print(std::string_view event) = 0;
};

// Prints each event on a line of its own, after the monotonic clock in microseconds
// (std::chrono::steady_clock), so that a client on the same machine can line its own
// times up with the server's: "1234567890 fetch started".
class PrintedEventLog final : public EventLog {
 public:
  // Flushes `out` first: events are written to its file descriptor directly.
  explicit PrintedEventLog(std::FILE* out) : fd_((std::fflush(out), fileno(out))) {}
  void Print(std::string_view event) override;

 private:
  int fd_;
};
