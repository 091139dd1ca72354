#include "serve.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <thread>

#include "http_cancel/unique_fd.h"

namespace {

using http_cancel::UniqueFd;

// The signal handler may only do async-signal-safe things: it writes to an eventfd.
volatile sig_atomic_t signal_eventfd = -1;

extern "C" void OnStopSignal(int) {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto written = ::write(signal_eventfd, &one, sizeof one);
}

void Notify(const UniqueFd& eventfd) {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto written = ::write(eventfd.get(), &one, sizeof one);
}

// A request of these servers runs in less than 64 KiB of stack, even under AddressSanitizer.
// With 256 KiB, not the system's 8 MiB, a thread starts about twice as fast, which counts when
// thousands of requests come at once (docs/performance.md).
constexpr std::size_t kThreadStackBytes = 256 * 1024;

}  // namespace

namespace demo_server {

int Serve(http_cancel::CancellingServer& http, const Options& options, EventLog& log) {
  http.set_event_listener(
      [&log](const http_cancel::Event& event) { log.PrintAt(http_cancel::ToText(event), event.when); });
  http.set_thread_limits(std::min<std::size_t>(8, options.max_threads), options.max_threads);
  http.set_thread_stack_size(kThreadStackBytes);
  http.set_request_timeout(options.request_timeout);
  int port = options.port;
  const bool bound =
      port == 0 ? (port = http.bind_to_any_port(options.host)) > 0 : http.bind_to_port(options.host, port);
  const bool ipv6 = options.host.find(':') != std::string::npos;
  const std::string host = ipv6 ? "[" + options.host + "]" : options.host;
  if (!bound) {
    std::fprintf(stderr, "cannot listen on %s:%d\n", host.c_str(), options.port);
    return 1;
  }
  // Signals are caught before anyone is told where we listen, so that whoever starts us
  // may stop us as soon as it reads that line.
  UniqueFd signalled(::eventfd(0, EFD_CLOEXEC));
  UniqueFd done(::eventfd(0, EFD_CLOEXEC));
  if (!signalled || !done) {
    std::fprintf(stderr, "cannot wait for signals: eventfd: %s\n", std::strerror(errno));
    return 1;
  }
  signal_eventfd = signalled.get();
  struct sigaction action = {};
  action.sa_handler = OnStopSignal;
  ::sigemptyset(&action.sa_mask);
  if (::sigaction(SIGINT, &action, nullptr) != 0 || ::sigaction(SIGTERM, &action, nullptr) != 0) {
    std::fprintf(stderr, "cannot catch SIGINT and SIGTERM: %s\n", std::strerror(errno));
    ::signal(SIGINT, SIG_DFL);
    signal_eventfd = -1;
    return 1;
  }
  std::printf("listening on http://%s:%d\n", host.c_str(), port);
  std::fflush(stdout);

  // Waits for a signal, or for listen() to end by itself. A poll that fails for another reason
  // than a signal's interruption stops the server too: unstoppable, it would have to be killed.
  bool poll_failed = false;  // read after the join below
  std::jthread stopper([&] {
    std::array<pollfd, 2> fds{
        {{.fd = signalled.get(), .events = POLLIN, .revents = 0}, {.fd = done.get(), .events = POLLIN, .revents = 0}}};
    while (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "cannot wait for signals: poll: %s\n", std::strerror(errno));
      poll_failed = true;
      http.stop();
      return;
    }
    if (fds[0].revents != 0) {
      log.Print("stopping");
      http.stop();
    }
  });
  const bool listened = http.listen_after_bind();
  Notify(done);
  stopper.join();

  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);
  signal_eventfd = -1;
  log.Print("stopped");
  return listened && !poll_failed ? 0 : 1;
}

}  // namespace demo_server
