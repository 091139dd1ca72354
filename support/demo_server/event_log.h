#pragma once

#include <chrono>
#include <cstdio>
#include <string_view>

namespace demo_server {

// Where a runnable server tells what happens: "fetch started", "client gone", ...
// Print() is called from many threads at once.
class EventLog {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~EventLog() = default;
  // An event that happens now.
  void Print(std::string_view event) { PrintAt(event, Clock::now()); }
  // An event that happened at `when`.
  virtual void PrintAt(std::string_view event, Clock::time_point when) = 0;
};

// Prints each event on a line of its own, after the time it happened on the monotonic clock,
// in microseconds (std::chrono::steady_clock), so that a client on the same machine can line
// its own times up with the server's: "1234567890 fetch started". Lines from different
// threads can be printed a few microseconds out of that order. Each line reaches `out`'s file
// at once, past stdio's buffer: what was printed to `out` before is flushed first.
class PrintedEventLog final : public EventLog {
 public:
  explicit PrintedEventLog(std::FILE* out);
  void PrintAt(std::string_view event, Clock::time_point when) override;

 private:
  void Write(std::string_view line);
  std::FILE* out_;
  int fd_;
};

}  // namespace demo_server
