// Cancellation latency: how soon after its client hangs up does a server stop the fetch?
//
//   cancel_latency [--trials N] [--burst N] [--wave N] -- SERVER [ARGUMENT...]
//
// SERVER is a step's server or the Go reference server (maintainers/bench/go_reference), given a long
// fetch (--fetch-ms 10000) so that only a cancellation can end it.
//
// Step 1. Idle: the server's threads, once their number has stopped changing.
// Step 2. N trials, one client at a time: connect, GET /, wait for the server's
//         "fetch started"; t0 = now, close(). Two latencies: the time of "client gone" - t0
//         (the server noticed, and stopped the request's token), and of "fetch cancelled" - t0
//         (the fetch itself stopped). All times are CLOCK_MONOTONIC (std::chrono::steady_clock),
//         one clock for every process.
// Step 3. A burst: more hang-ups, `wave` clients at a time, so that a growing pool grows. How
//         long a wave waits for all its fetches to start shows how the server takes many
//         connections at once.
// Step 4. Idle again: the threads should be back to step 1's number; and the peak RSS.
// A fetch "outlived its client" when its "fetch cancelled" came more than 100 ms after the
// hang-up, or never. The last line, "summary key=value ...", is for maintainers/bench/run.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "maintainers/bench/count_argument.h"
#include "maintainers/bench/latency_summary.h"
#include "maintainers/common/process_status.h"
#include "support/test_helpers/loopback_client.h"
#include "support/test_helpers/server_process.h"

namespace {

using namespace std::chrono;
using loopback::ServerProcess;
using Clock = ServerProcess::Clock;

constexpr auto kOnTime = 100ms;  // a fetch cancelled later than this outlived its client
constexpr auto kPatience = 2s;   // the longest we wait for one event: a bound against hanging

struct Settings {
  int trials = 250;
  int burst = 500;
  int wave = 50;
  std::vector<std::string> server;  // the command line
};

// The server's thread count once it has not changed for `quiet` (20 s at most). Only time
// tells that an idle pool has let its extra threads go; sampling is how we watch it happen.
long SettledThreads(pid_t pid, Clock::duration quiet) {
  long threads = process_status::Threads(pid);
  auto changed = Clock::now();
  const auto give_up = changed + 20s;
  while (Clock::now() - changed < quiet && Clock::now() < give_up) {
    std::this_thread::sleep_for(100ms);
    if (const long now = process_status::Threads(pid); now != threads) {
      threads = now;
      changed = Clock::now();
    }
  }
  return threads;
}

struct HangUp {
  Clock::duration noticed;    // until "client gone"
  Clock::duration cancelled;  // until "fetch cancelled"
};

// One client hangs up in the middle of its fetch. Returns how long the server took to notice
// and to cancel the fetch, or nullopt when it did not cancel it within kPatience.
std::optional<HangUp> HangUpOnce(ServerProcess& server) {
  const auto since = Clock::now();
  loopback::Client client{server.port()};
  client.Get("/");
  if (!server.WaitFor({"fetch started"}, since, kPatience)) throw std::runtime_error("no \"fetch started\"");
  const auto t0 = Clock::now();
  client.HangUp();
  const auto cancelled = server.WaitFor({"fetch cancelled"}, since, kPatience);
  if (!cancelled) return std::nullopt;
  const auto gone = server.WaitFor({"client gone"}, since, kPatience);
  if (!gone) throw std::runtime_error("a fetch was cancelled, but no \"client gone\"");
  return HangUp{.noticed = gone->time - t0, .cancelled = cancelled->time - t0};
}

long CountEvents(ServerProcess& server, std::string_view name, Clock::time_point from, Clock::time_point to) {
  const auto events = server.Events();
  return std::count_if(events.begin(), events.end(), [&](const ServerProcess::Event& event) {
    return event.time >= from && event.time <= to && event.text.starts_with(name);
  });
}

// Waits until `count` events called `name` came since `from`, or `patience` ran out. It looks
// every 2 ms: WaitFor() finds one event, and here we need to count them.
void WaitForCount(ServerProcess& server, std::string_view name, long count, Clock::time_point from,
                  Clock::duration patience) {
  const auto give_up = Clock::now() + patience;
  while (CountEvents(server, name, from, Clock::time_point::max()) < count && Clock::now() < give_up) {
    std::this_thread::sleep_for(2ms);
  }
}

struct Burst {
  long outlived = 0;
  long peak_threads = 0;
  Clock::duration slowest_start{};  // the longest a wave waited for all its fetches to start
};

// `total` clients hang up, `wave` at a time: all of a wave connect and wait for their fetch,
// then all hang up at once.
Burst HangUpInWaves(ServerProcess& server, int total, int wave) {
  Burst burst;
  for (int done = 0; done < total; done += wave) {
    const int clients_now = std::min(wave, total - done);
    const auto since = Clock::now();
    std::vector<loopback::Client> clients;
    clients.reserve(static_cast<std::size_t>(clients_now));
    for (int i = 0; i < clients_now; ++i) {
      clients.emplace_back(server.port());
      clients.back().Get("/");
    }
    WaitForCount(server, "fetch started", clients_now, since, 10s);
    burst.slowest_start = std::max(burst.slowest_start, Clock::now() - since);
    burst.peak_threads = std::max(burst.peak_threads, process_status::Threads(server.pid()));
    for (auto& client : clients) client.HangUp();
    const auto last_hang_up = Clock::now();
    WaitForCount(server, "fetch cancelled", clients_now, since, kPatience);
    burst.outlived += clients_now - CountEvents(server, "fetch cancelled", since, last_hang_up + kOnTime);
  }
  return burst;
}

std::optional<Settings> ParseArguments(int argc, char* argv[]) {
  Settings settings;
  int i = 1;
  for (; i + 1 < argc && std::string_view(argv[i]) != "--"; i += 2) {
    const std::string_view flag = argv[i];
    int* target = flag == "--trials"  ? &settings.trials
                  : flag == "--burst" ? &settings.burst
                  : flag == "--wave"  ? &settings.wave
                                      : nullptr;
    const auto value = bench::ToCount(argv[i + 1], flag == "--burst" ? 0 : 1);
    if (!target || !value) return std::nullopt;
    *target = *value;
  }
  if (i >= argc || std::string_view(argv[i]) != "--") return std::nullopt;
  settings.server.assign(argv + i + 1, argv + argc);
  if (settings.server.empty()) return std::nullopt;
  return settings;
}

}  // namespace

int main(int argc, char* argv[]) {
  const auto settings = ParseArguments(argc, argv);
  if (!settings) {
    std::fprintf(stderr, "usage: %s [--trials N] [--burst N] [--wave N] -- SERVER [ARGUMENT...]\n", argv[0]);
    return 2;
  }
  try {
    ServerProcess server{settings->server.front(), {settings->server.begin() + 1, settings->server.end()}};
    // A new server has no extra thread to retire: its threads only have to have started.
    const long idle_threads = SettledThreads(server.pid(), 1s);

    std::vector<double> noticed_us;
    std::vector<double> latencies_us;
    long outlived = 0;
    for (int trial = 0; trial < settings->trials; ++trial) {
      const auto hang_up = HangUpOnce(server);
      if (!hang_up || hang_up->cancelled > kOnTime) ++outlived;
      if (!hang_up) continue;
      noticed_us.push_back(duration<double, std::micro>(hang_up->noticed).count());
      latencies_us.push_back(duration<double, std::micro>(hang_up->cancelled).count());
    }
    const Burst burst = HangUpInWaves(server, settings->burst, settings->wave);
    // Longer than the worker pool's 2 s before an idle thread leaves.
    const long settled_threads = SettledThreads(server.pid(), 2500ms);
    const long peak_rss_kb = process_status::PeakRssKib(server.pid());
    server.Stop();

    if (latencies_us.empty()) throw std::runtime_error("no fetch was ever cancelled");
    const auto noticed = bench::Summarize(noticed_us);
    const auto latency = bench::Summarize(latencies_us);
    std::printf("%d hang-ups, one at a time: %ld fetches outlived their client (cancelled > 100 ms later, or never)\n",
                settings->trials, outlived);
    std::printf("client gone, noticed after (us): min %.1f  median %.1f  p99 %.1f  max %.1f\n", noticed.min,
                noticed.median, noticed.p99, noticed.max);
    std::printf("fetch cancelled after (us):      min %.1f  median %.1f  p99 %.1f  max %.1f\n", latency.min,
                latency.median, latency.p99, latency.max);
    const double slowest_start_ms = duration<double, std::milli>(burst.slowest_start).count();
    std::printf(
        "%d more hang-ups, %d at a time: %ld fetches outlived their client; the slowest wave waited "
        "%.0f ms for all its fetches to start\n",
        settings->burst, settings->wave, burst.outlived, slowest_start_ms);
    std::printf("threads: %ld idle, %ld at the burst's peak, %ld idle again; peak RSS %ld kB\n", idle_threads,
                burst.peak_threads, settled_threads, peak_rss_kb);
    std::printf(
        "summary trials=%d min_us=%.1f median_us=%.1f p99_us=%.1f max_us=%.1f noticed_min_us=%.1f "
        "noticed_median_us=%.1f noticed_p99_us=%.1f noticed_max_us=%.1f outlived=%ld burst=%d "
        "burst_outlived=%ld burst_start_ms=%.0f threads_idle=%ld threads_peak=%ld threads_after=%ld peak_rss_kb=%ld\n",
        settings->trials, latency.min, latency.median, latency.p99, latency.max, noticed.min, noticed.median,
        noticed.p99, noticed.max, outlived, settings->burst, burst.outlived, slowest_start_ms, idle_threads,
        burst.peak_threads, settled_threads, peak_rss_kb);
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "cancel_latency: %s\n", error.what());
    return 1;
  }
}
