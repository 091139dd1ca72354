#pragma once

#include <cstdio>
#include <mutex>
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
  explicit PrintedEventLog(std::FILE* out) : out_(out) {}
  void Print(std::string_view event) override;

 private:
  std::mutex mutex_;
  std::FILE* out_;
};
