// Polling against pushing: how soon a handler learns that its client hung up, and what its
// waiting costs, with cpp-httplib's polled Request::is_connection_closed() and with
// http_cancel's std::stop_token, which the kernel's hang-up event stops.
//
//   poll_vs_push [--trials N]
//
// One CancellingServer, in this process, on 127.0.0.1:
//   /push           waits on its request's std::stop_token;
//   /poll/MS        asks is_connection_closed() every MS milliseconds, sleeping between.
// Step 1. Latency, N trials per handler, one at a time: connect, GET, wait until the handler
//         waits, then a random 0 to 100 ms more, so that a hang-up falls anywhere between two
//         polls; t0 = now, close(). The latency is the time the handler stopped waiting - t0.
// Step 2. Cost: 100 clients connected at once, every handler waiting, for one second: the CPU
//         time (user + system) the process used in that second, in milliseconds.
// Prints a Markdown table; fails if a handler never noticed its hang-up.
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <list>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "http_cancel/cancelling_server.h"
#include "maintainers/bench/count_argument.h"
#include "maintainers/bench/latency_summary.h"
#include "support/test_helpers/loopback_client.h"

namespace {

using namespace std::chrono;
using Clock = steady_clock;

constexpr auto kPatience = 10s;  // a handler gives up after this: a bound against hanging
constexpr int kWaiting = 100;    // requests waiting at once, for the cost

// Counts the handlers that wait, and tells when each stopped.
class Waiting {
 public:
  void Started() {
    std::lock_guard lock(mutex_);
    ++waiting_;
    changed_.notify_all();
  }
  void Stopped() {
    std::lock_guard lock(mutex_);
    --waiting_;
    last_stop_ = Clock::now();
    changed_.notify_all();
  }
  // Waits until `count` handlers wait; false if they do not within kPatience.
  bool WaitFor(int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kPatience, [&] { return waiting_ == count; });
  }
  Clock::time_point last_stop() {
    std::lock_guard lock(mutex_);
    return last_stop_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int waiting_ = 0;
  Clock::time_point last_stop_;
};

double CpuMilliseconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto to_ms = [](timeval t) {
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3;
  };
  return to_ms(usage.ru_utime) + to_ms(usage.ru_stime);
}

struct Result {
  bench::LatencySummary latency_us;
  double cpu_ms_per_s = 0;
  int lost = 0;  // trials whose handler never stopped
};

Result Measure(int port, const std::string& target, Waiting& waiting, int trials) {
  Result result;
  std::vector<double> latencies;
  std::mt19937 random(12345);
  std::uniform_int_distribution<int> then_us(0, 100'000);
  for (int i = 0; i < trials; ++i) {
    loopback::Client client{port};
    client.Get(target);
    if (!waiting.WaitFor(1)) {
      ++result.lost;
      continue;
    }
    std::this_thread::sleep_for(microseconds(then_us(random)));
    const auto t0 = Clock::now();
    client.HangUp();
    if (!waiting.WaitFor(0)) {
      ++result.lost;
      continue;
    }
    latencies.push_back(static_cast<double>(duration_cast<nanoseconds>(waiting.last_stop() - t0).count()) / 1e3);
  }
  if (!latencies.empty()) result.latency_us = bench::Summarize(latencies);

  std::list<loopback::Client> clients;
  for (int i = 0; i < kWaiting; ++i) clients.emplace_back(port).Get(target);
  if (waiting.WaitFor(kWaiting)) {
    const double before = CpuMilliseconds();
    std::this_thread::sleep_for(1s);  // a measurement over a second of waiting, not a verdict
    result.cpu_ms_per_s = CpuMilliseconds() - before;
  }
  clients.clear();
  if (!waiting.WaitFor(0)) ++result.lost;
  return result;
}

}  // namespace

int main(int argc, char* argv[]) {
  const auto trials = bench::OnlyCountArgument(argc, argv, "--trials", 200);
  if (!trials) {
    std::fprintf(stderr, "usage: poll_vs_push [--trials N]\n");
    return 2;
  }
  Waiting waiting;
  http_cancel::CancellingServer server;
  server.set_thread_limits(8, 2 * kWaiting);
  server.Get("/push", [&](const httplib::Request&, httplib::Response&, std::stop_token cancelled) {
    waiting.Started();
    std::mutex mutex;
    std::condition_variable_any never_notified;
    std::unique_lock lock(mutex);
    never_notified.wait_for(lock, cancelled, kPatience, [] { return false; });
    waiting.Stopped();
  });
  server.Get(R"(/poll/(\d+))", [&](const httplib::Request& request, httplib::Response&) {
    const milliseconds every(std::stoi(request.matches[1]));
    waiting.Started();
    for (const auto give_up = Clock::now() + kPatience; !request.is_connection_closed() && Clock::now() < give_up;) {
      std::this_thread::sleep_for(every);
    }
    waiting.Stopped();
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) {
    std::fprintf(stderr, "poll_vs_push: cannot listen on 127.0.0.1\n");
    return 1;
  }
  std::jthread listening([&] { server.listen_after_bind(); });

  std::printf("| handler | hang-up noticed after: median | p99 | max | CPU, %d handlers waiting | lost |\n", kWaiting);
  std::printf("|---|---|---|---|---|---|\n");
  int lost = 0;
  const auto row = [&](const char* name, const std::string& target) {
    const auto result = Measure(port, target, waiting, *trials);
    lost += result.lost;
    std::printf("| %s | %.0f µs | %.0f µs | %.0f µs | %.1f ms/s | %d |\n", name, result.latency_us.median,
                result.latency_us.p99, result.latency_us.max, result.cpu_ms_per_s, result.lost);
    std::fflush(stdout);
  };
  row("stop_token, pushed (http_cancel)", "/push");
  row("is_connection_closed(), polled every 1 ms", "/poll/1");
  row("is_connection_closed(), polled every 10 ms", "/poll/10");
  row("is_connection_closed(), polled every 100 ms", "/poll/100");
  server.stop();
  return lost == 0 ? 0 : 1;
}
