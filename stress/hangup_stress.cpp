// Many clients against a step's real server, half of them hanging up at random moments.
// Afterwards the server must be alive and idle again, every fetch must have ended, and a
// patient client must still be served; then it must stop promptly under load.
//
//   hangup_stress SERVER [--requests N] [--connections N] [--fetch-ms N] [--seed N] [--max-rss-mib N]
//
// Bounded: N requests, over 127.0.0.1 only; it stops the server it starts. Exit 0 when every
// check holds, 1 otherwise. The checks, and why they are what they are:
//   - every fetch that started, ended (completed or cancelled), 100 ms after the last client left;
//   - at 100 ms after each hang-up, no more fetches were running than clients still waiting or
//     gone for less than 100 ms: a fetch that outlived its client by 100 ms breaks this unless
//     others happen to make up for it (the events carry no request ids: this is the check we
//     can make from outside);
//   - the server's threads come back to their idle count; its peak memory stays under a bound;
//   - a patient client gets "hello, world" afterwards;
//   - SIGTERM with requests in flight: the server exits 0 within a second.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "testing/loopback_client.h"
#include "testing/server_process.h"

namespace {

using namespace std::chrono;
using loopback::ServerProcess;
using Clock = ServerProcess::Clock;

struct Settings {
  std::string server;
  int requests = 10'000;
  int connections = 64;
  int fetch_ms = 200;
  unsigned seed = 1;
  long max_rss_mib = 64;
};

struct Visit {
  Clock::time_point sent;
  Clock::time_point left;  // when it hung up, or got its answer
  bool hung_up = false;
  bool answered = false;
};

long ProcStatus(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with(field + ":")) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

int failures = 0;
void Check(bool ok, const std::string& what) {
  std::printf("  %s %s\n", ok ? "ok  " : "FAIL", what.c_str());
  if (!ok) ++failures;
}

// Idle pool threads retire after 2 s: waits (at most 10 s) for the count to come down to `count`.
long SettledThreads(pid_t pid, long count) {
  long now = ProcStatus(pid, "Threads");
  for (int i = 0; i < 100 && now > count; ++i) {
    std::this_thread::sleep_for(100ms);
    now = ProcStatus(pid, "Threads");
  }
  return now;
}

}  // namespace

int main(int argc, char* argv[]) {
  Settings settings;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s SERVER [--requests N] [--connections N] [--fetch-ms N] [--seed N] [--max-rss-mib N]\n", argv[0]);
    return 2;
  }
  settings.server = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    long value = 0;
    const std::string_view text = argv[i + 1];
    if (std::from_chars(text.data(), text.data() + text.size(), value).ec != std::errc{} || value < 0) {
      std::fprintf(stderr, "%s: %s takes a number\n", argv[0], flag.c_str());
      return 2;
    }
    if (flag == "--requests") settings.requests = static_cast<int>(value);
    else if (flag == "--connections") settings.connections = static_cast<int>(std::max(1L, value));
    else if (flag == "--fetch-ms") settings.fetch_ms = static_cast<int>(value);
    else if (flag == "--seed") settings.seed = static_cast<unsigned>(value);
    else if (flag == "--max-rss-mib") settings.max_rss_mib = value;
    else {
      std::fprintf(stderr, "%s: unknown flag %s\n", argv[0], flag.c_str());
      return 2;
    }
  }

  ServerProcess server{settings.server, {"--fetch-ms", std::to_string(settings.fetch_ms)}};
  {
    loopback::Client first{server.port()};  // once it has served, its thread pool is there
    first.Get("/");
    if (!first.Read(milliseconds(settings.fetch_ms) + 10s)) {
      std::printf("the server does not answer\n");
      return 1;
    }
  }
  const long idle_threads = ProcStatus(server.pid(), "Threads");
  std::printf("%s: %d requests over %d connections, fetch %d ms, half hang up within 50 ms\n",
              settings.server.c_str(), settings.requests, settings.connections, settings.fetch_ms);

  std::vector<Visit> visits(static_cast<std::size_t>(settings.requests));
  std::atomic<int> next = 0;
  std::atomic<int> wrong_answers = 0;
  const auto start = Clock::now();
  {
    std::vector<std::jthread> clients;
    for (int c = 0; c < settings.connections; ++c) {
      clients.emplace_back([&, c] {
        std::mt19937 random(settings.seed * 1000 + static_cast<unsigned>(c));
        std::uniform_int_distribution<int> hangup_after_us(0, 50'000);
        for (int i = next++; i < settings.requests; i = next++) {
          Visit& visit = visits[static_cast<std::size_t>(i)];
          visit.hung_up = random() % 2 == 0;
          try {
            loopback::Client client{server.port()};
            visit.sent = Clock::now();
            client.Get("/");
            if (visit.hung_up) {
              std::this_thread::sleep_for(microseconds(hangup_after_us(random)));
              visit.left = Clock::now();
              client.HangUp();
            } else {
              const auto response = client.Read(milliseconds(settings.fetch_ms) + 10s);
              visit.left = Clock::now();
              visit.answered = response.has_value();
              if (!response || response->status != 200) ++wrong_answers;
            }
          } catch (const std::exception&) {
            visit.left = Clock::now();
            ++wrong_answers;
          }
        }
      });
    }
  }
  const auto last_left = std::ranges::max(visits, {}, &Visit::left).left;
  std::this_thread::sleep_until(last_left + 100ms);  // the bound the check is about
  const auto events = server.Events();
  std::printf("  %d requests in %.1f s\n", settings.requests, duration<double>(Clock::now() - start).count());

  // Every fetch ended.
  auto count = [&](std::string_view event, Clock::time_point until) {
    return std::ranges::count_if(events, [&](const auto& e) { return e.time <= until && e.text == event; });
  };
  const auto until = last_left + 100ms;
  const auto started = count("fetch started", until);
  const auto completed = count("fetch completed", until);
  const auto cancelled = count("fetch cancelled", until);
  Check(::kill(server.pid(), 0) == 0, "the server is alive");
  Check(started == completed + cancelled,
        std::to_string(started) + " fetches started, " + std::to_string(completed) + " completed, " +
            std::to_string(cancelled) + " cancelled: none still running 100 ms after the last client left");

  // 100 ms after each hang-up, no more fetches running than clients that are waiting or left
  // less than 100 ms before.
  long worst = 0;
  for (const auto& visit : visits) {
    if (!visit.hung_up) continue;
    const auto t = visit.left + 100ms;
    const long running = static_cast<long>(count("fetch started", t) - count("fetch completed", t) - count("fetch cancelled", t));
    const long entitled = std::ranges::count_if(visits, [&](const Visit& v) { return v.sent <= t && t < v.left + 100ms; });
    worst = std::max(worst, running - entitled);
  }
  Check(worst <= 0, "100 ms after every hang-up, no more fetches running than clients waiting or just gone (worst excess " +
                        std::to_string(worst) + ")");
  Check(wrong_answers == 0, std::to_string(wrong_answers.load()) + " patient clients without a 200");

  const long peak_rss_mib = ProcStatus(server.pid(), "VmHWM") / 1024;
  Check(peak_rss_mib <= settings.max_rss_mib,
        "peak resident memory " + std::to_string(peak_rss_mib) + " MiB (bound " + std::to_string(settings.max_rss_mib) + " MiB)");
  const long threads = SettledThreads(server.pid(), idle_threads);
  Check(threads <= idle_threads, "threads back to " + std::to_string(threads) + " (idle: " + std::to_string(idle_threads) + ")");

  {
    loopback::Client patient{server.port()};
    patient.Get("/");
    const auto response = patient.Read(milliseconds(settings.fetch_ms) + 10s);
    Check(response && response->body == "hello, world", "a patient client is still served");
  }

  // Stopping under load: requests in flight, then SIGTERM.
  std::vector<loopback::Client> in_flight;
  for (int c = 0; c < settings.connections; ++c) {
    in_flight.emplace_back(server.port());
    in_flight.back().Get("/");
  }
  server.WaitFor({"fetch started"}, Clock::now() - 1ms, 5s);
  const auto stopping = Clock::now();
  const int exit_status = server.Stop();
  const auto stop_time = Clock::now() - stopping;
  Check(exit_status == 0, "SIGTERM under load: exit status " + std::to_string(exit_status));
  Check(stop_time < 1s, "SIGTERM under load: stopped in " +
                            std::to_string(duration_cast<milliseconds>(stop_time).count()) + " ms");

  std::printf("%s\n", failures == 0 ? "every check holds" : "SOME CHECKS FAILED");
  return failures == 0 ? 0 : 1;
}
