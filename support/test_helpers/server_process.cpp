#include "server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <stdexcept>

extern char** environ;

namespace loopback {

ServerProcess::ServerProcess(const std::string& executable, const std::vector<std::string>& arguments) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(executable.c_str()));
  for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  const int failed = ::posix_spawn(&pid_, executable.c_str(), &actions, nullptr, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (failed != 0) {
    ::close(pipe_fds[0]);
    throw std::runtime_error("cannot start " + executable);
  }
  reader_ = std::jthread([this, fd = pipe_fds[0]] { ReadOutput(fd); });

  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, std::chrono::seconds(10), [this] { return listening_ || output_closed_; }) ||
      !listening_) {
    lock.unlock();
    Stop();
    throw std::runtime_error(executable + " did not say where it listens");
  }
}

ServerProcess::~ServerProcess() {
  Stop();
}

void ServerProcess::ReadOutput(int fd) {
  std::string pending;
  char buffer[4096];
  for (;;) {
    const auto n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    pending.append(buffer, static_cast<std::size_t>(n));
    std::size_t end = 0;
    while ((end = pending.find('\n')) != std::string::npos) {
      const std::string line = pending.substr(0, end);
      pending.erase(0, end + 1);
      std::lock_guard lock(mutex_);
      if (!listening_) {
        // "listening on http://127.0.0.1:PORT"
        const auto colon = line.rfind(':');
        if (line.starts_with("listening on ") && colon != std::string::npos) {
          std::from_chars(line.data() + colon + 1, line.data() + line.size(), port_);
          listening_ = true;
        }
      } else {
        long long microseconds = 0;
        const auto [rest, error] = std::from_chars(line.data(), line.data() + line.size(), microseconds);
        if (error == std::errc{} && rest < line.data() + line.size()) {
          events_.push_back({Clock::time_point(std::chrono::microseconds(microseconds)), std::string(rest + 1)});
        }
      }
      changed_.notify_all();
    }
  }
  ::close(fd);
  std::lock_guard lock(mutex_);
  output_closed_ = true;
  changed_.notify_all();
}

std::optional<ServerProcess::Event> ServerProcess::WaitFor(std::initializer_list<std::string_view> events,
                                                           Clock::time_point since,
                                                           std::chrono::milliseconds patience) {
  std::optional<Event> found;
  const auto match = [&] {
    for (const auto& event : events_) {
      if (event.time < since) continue;
      for (auto wanted : events) {
        if (event.text.starts_with(wanted)) {
          found = event;
          return true;
        }
      }
    }
    return output_closed_;
  };
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, patience, match);
  return found;
}

std::vector<ServerProcess::Event> ServerProcess::Events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

int ServerProcess::Stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    pid_ = -1;
  }
  if (reader_.joinable()) reader_.join();
  return exit_status_;
}

}  // namespace loopback
