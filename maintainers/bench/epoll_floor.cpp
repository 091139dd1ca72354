// The floor under cancellation latency: how long the kernel alone takes to tell a server that
// its client hung up. No HTTP, no handler, no event log: a client closes a TCP connection on
// 127.0.0.1, and a thread of another process, asleep in epoll_wait for EPOLLRDHUP on that
// socket (as http_cancel's HangupWatcher waits), wakes up.
//
//   epoll_floor [--trials N]
//
// Two processes, like cancel_latency and the server it measures: this one is the client; a
// forked child is the server, with one thread that accepts and one that waits in epoll.
// Each trial: connect; the server accepts, adds the socket to its epoll set and says so on a
// pipe; the client takes t0 and close()s; the epoll thread wakes and takes t1 (both
// CLOCK_MONOTONIC) and sends it back. floor = t1 - t0.
// The last line, "summary key=value ...", is for maintainers/bench/run.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <thread>
#include <vector>

#include "maintainers/bench/count_argument.h"
#include "maintainers/bench/latency_summary.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kPatienceMs = 10'000;  // a bound against hanging, never reached when all is well
constexpr std::int64_t kWatching = 0;
constexpr std::int64_t kFailed = -1;

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

// A pipe carries whole 8-byte writes: they never interleave, nor arrive in pieces.
void Send(int pipe, std::int64_t value) {
  [[maybe_unused]] auto written = ::write(pipe, &value, sizeof value);
}

bool Receive(int pipe, std::int64_t& value) {
  return ::read(pipe, &value, sizeof value) == sizeof value;
}

// The server process. It never outlives the client, its parent.
[[noreturn]] void Serve(int listener, int to_client, int trials) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  // The epoll thread is asleep in epoll_wait before any socket is added, as HangupWatcher's is.
  std::thread watcher([&] {
    for (int i = 0; i < trials; ++i) {
      epoll_event event{};
      const int ready = ::epoll_wait(epoll, &event, 1, kPatienceMs);
      const std::int64_t t1 = NowNs();
      Send(to_client, ready == 1 ? t1 : kFailed);
      if (ready != 1) return;
      ::close(event.data.fd);  // closing also takes it out of the epoll set
    }
  });
  for (int i = 0; i < trials; ++i) {
    pollfd incoming{.fd = listener, .events = POLLIN, .revents = 0};
    if (::poll(&incoming, 1, kPatienceMs) != 1) break;
    const int socket = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (socket < 0) break;
    epoll_event event{.events = EPOLLRDHUP | EPOLLONESHOT, .data = {.fd = socket}};
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, socket, &event);
    Send(to_client, kWatching);
  }
  watcher.join();
  ::_exit(0);
}

// One trial, as the client: returns t1 - t0 in microseconds, or a negative number on failure.
double HangUpOnce(const sockaddr_in& address, int from_server) {
  const int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (client < 0 || ::connect(client, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) return -1;
  std::int64_t said = kFailed;
  if (!Receive(from_server, said) || said != kWatching) return -1;
  const std::int64_t t0 = NowNs();
  ::close(client);
  std::int64_t t1 = kFailed;
  if (!Receive(from_server, t1) || t1 == kFailed) return -1;
  return static_cast<double>(t1 - t0) / 1000.0;
}

}  // namespace

int main(int argc, char* argv[]) {
  const auto parsed_trials = bench::OnlyCountArgument(argc, argv, "--trials", 250);
  if (!parsed_trials) {
    std::fprintf(stderr, "usage: %s [--trials N]\n", argv[0]);
    return 2;
  }
  const int trials = *parsed_trials;

  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int pipe_fds[2];
  if (listener < 0 || ::bind(listener, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener, 16) != 0 || ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
      ::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    std::perror("epoll_floor: cannot listen on 127.0.0.1");
    return 1;
  }
  const pid_t server = ::fork();
  if (server < 0) {
    std::perror("epoll_floor: fork");
    return 1;
  }
  if (server == 0) {
    ::close(pipe_fds[0]);
    Serve(listener, pipe_fds[1], trials);
  }
  ::close(listener);
  ::close(pipe_fds[1]);

  std::vector<double> floor_us;
  for (int i = 0; i < trials; ++i) {
    const double us = HangUpOnce(address, pipe_fds[0]);
    if (us < 0) break;
    floor_us.push_back(us);
  }
  const bool all_done = floor_us.size() == static_cast<std::size_t>(trials);
  if (!all_done) ::kill(server, SIGKILL);  // otherwise it has finished, or is about to
  ::waitpid(server, nullptr, 0);
  if (!all_done) {
    std::fprintf(stderr, "epoll_floor: trial %zu failed\n", floor_us.size() + 1);
    return 1;
  }
  const auto floor = bench::Summarize(floor_us);
  std::printf(
      "%d hang-ups: close() in one process to epoll_wait waking in another (us): "
      "min %.1f  median %.1f  p99 %.1f  max %.1f\n",
      trials, floor.min, floor.median, floor.p99, floor.max);
  std::printf("summary trials=%d min_us=%.1f median_us=%.1f p99_us=%.1f max_us=%.1f\n", trials, floor.min, floor.median,
              floor.p99, floor.max);
  return 0;
}
