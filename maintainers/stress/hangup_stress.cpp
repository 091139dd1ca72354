// Many clients against a step's real server, half of them hanging up at random moments.
// Afterwards the server must be alive and idle again, every fetch must have ended, and a
// patient client must still be served; then it must stop promptly under load.
//
//   hangup_stress SERVER [--requests N] [--connections N] [--fetch-ms N] [--seed N] [--max-rss-mib N]
//                 [--every-patient-gets-data]
//
// Bounded: N requests, over 127.0.0.1 only; it stops the server it starts. Exit 0 when every
// check holds, 1 otherwise. The checks, and why they are what they are:
//   - every fetch that started, ended (completed or cancelled), 100 ms after the last client left;
//   - at 100 ms after each hang-up, no more fetches were running than clients still waiting or
//     gone for less than 100 ms: a fetch that outlived its client by 100 ms breaks this unless
//     others happen to make up for it (the events carry no request ids: this is the check we
//     can make from outside);
//   - the server's threads come back to their idle count; its peak memory stays under a bound;
//   - every patient client gets a 200; with --every-patient-gets-data, a 200 "hello, world" (a
//     server whose store has one Cancel() for all its fetches, as step03's, cancels a patient
//     client's fetch along with another's: then the count of empty answers is printed, not failed);
//   - a patient client gets "hello, world" afterwards;
//   - SIGTERM with requests in flight: the server exits 0 within a second.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <expected>
#include <mutex>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "maintainers/common/process_status.h"
#include "support/test_helpers/loopback_client.h"
#include "support/test_helpers/server_process.h"

namespace {

using namespace std::chrono;
using loopback::ServerProcess;
using Clock = ServerProcess::Clock;
using Events = std::vector<ServerProcess::Event>;

constexpr auto kOnTime = 100ms;  // a fetch still running this long after its client left outlived it

// What the step servers' store fetches: a patient client's due is 200 and this.
constexpr std::string_view kData = "hello, world";
const std::string kDue = "200 \"" + std::string(kData) + "\"";

struct Settings {
  std::string server;
  int requests = 10'000;
  int connections = 64;
  int fetch_ms = 200;
  unsigned seed = 1;
  long max_rss_mib = 64;
  bool every_patient_gets_data = false;
};

struct Visit {
  Clock::time_point sent;
  Clock::time_point left;  // when it hung up, or got its answer
  bool hung_up = false;
  bool answered = false;
};

int failures = 0;
void Check(bool ok, const std::string& what) {
  std::printf("  %s %s\n", ok ? "ok  " : "FAIL", what.c_str());
  if (!ok) ++failures;
}

std::string Usage(const char* program) {
  return std::string("usage: ") + program +
         " SERVER [--requests N] [--connections N] [--fetch-ms N] [--seed N] [--max-rss-mib N]"
         " [--every-patient-gets-data]";
}

// The command line; an error says what is wrong with it.
std::expected<Settings, std::string> ParseSettings(std::span<char* const> arguments) {
  if (arguments.size() < 2) return std::unexpected(Usage(arguments[0]));
  Settings settings;
  settings.server = arguments[1];
  for (std::size_t i = 2; i < arguments.size(); ++i) {
    const std::string flag = arguments[i];
    if (flag == "--every-patient-gets-data") {
      settings.every_patient_gets_data = true;
      continue;
    }
    if (flag != "--requests" && flag != "--connections" && flag != "--fetch-ms" && flag != "--seed" &&
        flag != "--max-rss-mib") {
      return std::unexpected("unknown flag " + flag + "\n" + Usage(arguments[0]));
    }
    if (++i == arguments.size()) return std::unexpected(flag + " takes a number");
    long value = 0;
    const std::string_view text = arguments[i];
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || value < 0) {
      return std::unexpected(flag + " takes a number, not \"" + std::string(text) + "\"");
    }
    if (flag == "--requests") {
      settings.requests = static_cast<int>(value);
    } else if (flag == "--connections") {
      settings.connections = static_cast<int>(std::max(1L, value));
    } else if (flag == "--fetch-ms") {
      settings.fetch_ms = static_cast<int>(value);
    } else if (flag == "--seed") {
      settings.seed = static_cast<unsigned>(value);
    } else {
      settings.max_rss_mib = value;
    }
  }
  return settings;
}

milliseconds Patience(const Settings& settings) {
  return milliseconds(settings.fetch_ms) + 10s;
}

bool Served(const loopback::Reply& reply) {
  return reply && reply->status == 200 && reply->body == kData;
}

// What a client got, for a failure message: "200 \"\"", or why it got nothing.
std::string Describe(const loopback::Reply& reply) {
  if (!reply) return static_cast<testing::AssertionResult>(reply).message();
  return std::to_string(reply->status) + " \"" + reply->body + "\"";
}

// One request, answered: afterwards the server's thread pool is there, and its thread count is
// the idle one.
bool WarmUp(ServerProcess& server, const Settings& settings) {
  loopback::Client first{server.port()};
  first.Get("/");
  return first.Read(Patience(settings)).has_value();
}

// Every client connection takes the next request until none is left; half the visits hang up
// within 50 ms, the others wait for their answer. Returns the visits, and the patient ones that
// got no 200, or a 200 without the data.
struct Tally {
  int count = 0;
  std::string first;  // what the first of them got
  void Add(std::string got) {
    if (count++ == 0) first = std::move(got);
  }
};
struct Visits {
  std::vector<Visit> visits;
  Tally without_200;
  Tally without_data;
};
Visits VisitAll(const ServerProcess& server, const Settings& settings) {
  std::vector<Visit> visits(static_cast<std::size_t>(settings.requests));
  std::atomic<int> next = 0;
  std::mutex mutex;  // for the tallies
  Tally without_200;
  Tally without_data;
  auto visit_in_turn = [&](int connection) {
    std::mt19937 random(settings.seed * 1000 + static_cast<unsigned>(connection));
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
          const auto response = client.Read(Patience(settings));
          visit.left = Clock::now();
          visit.answered = response.has_value();
          if (!Served(response)) {
            const std::lock_guard lock(mutex);
            (response && response->status == 200 ? without_data : without_200).Add(Describe(response));
          }
        }
      } catch (const std::exception& error) {
        visit.left = Clock::now();
        const std::lock_guard lock(mutex);
        without_200.Add(error.what());
      }
    }
  };
  {
    std::vector<std::jthread> clients;
    for (int c = 0; c < settings.connections; ++c) clients.emplace_back(visit_in_turn, c);
  }
  return {std::move(visits), std::move(without_200), std::move(without_data)};
}

long CountUntil(const Events& events, std::string_view event, Clock::time_point until) {
  return std::ranges::count_if(events, [&](const auto& e) { return e.time <= until && e.text == event; });
}

long FetchesRunning(const Events& events, Clock::time_point at) {
  return CountUntil(events, "fetch started", at) - CountUntil(events, "fetch completed", at) -
         CountUntil(events, "fetch cancelled", at);
}

void CheckEveryFetchEnded(const Events& events, Clock::time_point until) {
  const long started = CountUntil(events, "fetch started", until);
  const long completed = CountUntil(events, "fetch completed", until);
  const long cancelled = CountUntil(events, "fetch cancelled", until);
  Check(started == completed + cancelled, std::to_string(started) + " fetches started, " + std::to_string(completed) +
                                              " completed, " + std::to_string(cancelled) +
                                              " cancelled: none still running 100 ms after the last client left");
}

// kOnTime after each hang-up, no more fetches running than clients that are waiting or left
// less than kOnTime before.
void CheckNoFetchOutlivedItsClient(const Events& events, const std::vector<Visit>& visits) {
  long worst = 0;
  for (const auto& visit : visits) {
    if (!visit.hung_up) continue;
    const auto t = visit.left + kOnTime;
    const long entitled =
        std::ranges::count_if(visits, [&](const Visit& v) { return v.sent <= t && t < v.left + kOnTime; });
    worst = std::max(worst, FetchesRunning(events, t) - entitled);
  }
  Check(worst <= 0,
        "100 ms after every hang-up, no more fetches running than clients waiting or just gone (worst excess " +
            std::to_string(worst) + ")");
}

// Idle pool threads retire after 2 s: waits (at most 10 s) for the count to come down to `count`.
long SettledThreads(pid_t pid, long count) {
  long now = process_status::Threads(pid);
  for (int i = 0; i < 100 && now > count; ++i) {
    std::this_thread::sleep_for(100ms);
    now = process_status::Threads(pid);
  }
  return now;
}

void CheckResourcesCameBack(const ServerProcess& server, const Settings& settings, long idle_threads) {
  const long peak_rss_mib = process_status::PeakRssKib(server.pid()) / 1024;
  Check(peak_rss_mib <= settings.max_rss_mib, "peak resident memory " + std::to_string(peak_rss_mib) + " MiB (bound " +
                                                  std::to_string(settings.max_rss_mib) + " MiB)");
  const long threads = SettledThreads(server.pid(), idle_threads);
  Check(threads <= idle_threads,
        "threads back to " + std::to_string(threads) + " (idle: " + std::to_string(idle_threads) + ")");
}

void CheckPatientClientsWereServed(const Tally& without_200, const Tally& without_data, const Settings& settings) {
  auto first = [](const Tally& tally) { return tally.count == 0 ? "" : " (the first got " + tally.first + ")"; };
  Check(without_200.count == 0,
        std::to_string(without_200.count) + " patient clients without a 200" + first(without_200));
  const std::string empty = std::to_string(without_data.count) + " patient clients with a 200 but not \"" +
                            std::string(kData) + "\"" + first(without_data);
  if (settings.every_patient_gets_data) {
    Check(without_data.count == 0, empty);
  } else if (without_data.count > 0) {
    std::printf("  note %s: a store with one Cancel() for all its fetches cancels theirs with another client's\n",
                empty.c_str());
  }
}

void CheckAPatientClientIsServed(const ServerProcess& server, const Settings& settings) {
  loopback::Client patient{server.port()};
  patient.Get("/");
  const auto response = patient.Read(Patience(settings));
  Check(Served(response), "a patient client is still served" +
                              (Served(response) ? "" : ": it got " + Describe(response) + ", not " + kDue));
}

// Requests in flight on every connection, then SIGTERM: the server exits 0 within a second.
void CheckItStopsUnderLoad(ServerProcess& server, const Settings& settings) {
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
  Check(stop_time < 1s,
        "SIGTERM under load: stopped in " + std::to_string(duration_cast<milliseconds>(stop_time).count()) + " ms");
}

}  // namespace

int main(int argc, char* argv[]) {
  const auto settings = ParseSettings({argv, static_cast<std::size_t>(argc)});
  if (!settings) {
    std::fprintf(stderr, "%s: %s\n", argv[0], settings.error().c_str());
    return 2;
  }
  ServerProcess server{settings->server, {"--fetch-ms", std::to_string(settings->fetch_ms)}};
  if (!WarmUp(server, *settings)) {
    std::printf("the server does not answer\n");
    return 1;
  }
  const long idle_threads = process_status::Threads(server.pid());
  std::printf("%s: %d requests over %d connections, fetch %d ms, half hang up within 50 ms\n", settings->server.c_str(),
              settings->requests, settings->connections, settings->fetch_ms);

  const auto start = Clock::now();
  const auto [visits, without_200, without_data] = VisitAll(server, *settings);
  const auto last_left = std::ranges::max(visits, {}, &Visit::left).left;
  std::this_thread::sleep_until(last_left + kOnTime);  // the bound the checks are about
  const Events events = server.Events();
  std::printf("  %d requests in %.1f s\n", settings->requests, duration<double>(Clock::now() - start).count());

  Check(::kill(server.pid(), 0) == 0, "the server is alive");
  CheckEveryFetchEnded(events, last_left + kOnTime);
  CheckNoFetchOutlivedItsClient(events, visits);
  CheckPatientClientsWereServed(without_200, without_data, *settings);
  CheckResourcesCameBack(server, *settings, idle_threads);
  CheckAPatientClientIsServed(server, *settings);
  CheckItStopsUnderLoad(server, *settings);

  std::printf("%s\n", failures == 0 ? "every check holds" : "SOME CHECKS FAILED");
  return failures == 0 ? 0 : 1;
}
