#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace loopback {

// Runs a step's server (or any server that prints "listening on http://HOST:PORT", then
// "<steady_clock microseconds> <event>" lines) as a child process, and reads its events.
// Its clock is ours: std::chrono::steady_clock is CLOCK_MONOTONIC for every process.
class ServerProcess {
 public:
  using Clock = std::chrono::steady_clock;
  struct Event {
    Clock::time_point time;
    std::string text;
  };

  // Starts `executable` with `arguments` and waits until it listens; throws std::runtime_error
  // when it cannot be started or says nothing within 10 s.
  ServerProcess(const std::string& executable, const std::vector<std::string>& arguments);
  ~ServerProcess();  // Stop(), if not done yet
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }

  // The first event, printed at or after `since`, that starts with one of `events`; nullopt
  // when none came within `patience`.
  std::optional<Event> WaitFor(std::initializer_list<std::string_view> events, Clock::time_point since,
                               std::chrono::milliseconds patience = std::chrono::seconds(10));
  std::vector<Event> Events() const;

  // SIGTERM, then waits for the process; returns its exit status (-1 if it did not exit).
  int Stop();

 private:
  void ReadOutput(int fd);

  pid_t pid_ = -1;
  int port_ = 0;
  int exit_status_ = -1;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Event> events_;
  bool listening_ = false;
  bool output_closed_ = false;
  std::jthread reader_;
};

}  // namespace loopback
