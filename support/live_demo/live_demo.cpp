// The four steps, live: each step's real server, one patient client and one that hangs up
// after 50 ms, and what became of the store's work. Run it with
//   cmake --workflow --preset demo
// or give it the step servers yourself: live_demo STEP_SERVER...
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include "support/test_helpers/loopback_client.h"
#include "support/test_helpers/server_process.h"

namespace {

using namespace std::chrono;
using loopback::ServerProcess;

constexpr auto kFetchTime = 1000ms;
constexpr auto kImpatience = 50ms;

double Milliseconds(ServerProcess::Clock::duration elapsed) {
  return duration<double, std::milli>(elapsed).count();
}

std::string PatientClient(ServerProcess& server) {
  const auto start = ServerProcess::Clock::now();
  loopback::Client client{server.port()};
  client.Get("/");
  const auto response = client.Read(kFetchTime + 5s);
  char line[128];
  if (!response) return "no answer";
  std::snprintf(line, sizeof line, "\"%s\" after %.0f ms", response->body.c_str(),
                Milliseconds(ServerProcess::Clock::now() - start));
  return line;
}

std::string ImpatientClient(ServerProcess& server) {
  const auto start = ServerProcess::Clock::now();
  loopback::Client client{server.port()};
  client.Get("/");
  std::this_thread::sleep_for(kImpatience);
  const auto left = ServerProcess::Clock::now();
  client.HangUp();
  const auto ended = server.WaitFor({"fetch completed", "fetch cancelled"}, start, kFetchTime + 5s);
  if (!ended) return "the fetch never ended";
  char line[128];
  if (ended->time <= left) {
    std::snprintf(line, sizeof line, "none: the fetch was cancelled before the client left");
  } else {
    std::snprintf(line, sizeof line, "%.2f ms, then %s", Milliseconds(ended->time - left), ended->text.c_str());
  }
  return line;
}

}  // namespace

int main(int argc, char* argv[]) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s STEP_SERVER...\n", argv[0]);
    return 2;
  }
  std::printf(
      "Each step's server, with a store that takes %lld ms to fetch: one client waits for the\n"
      "answer, another hangs up after %lld ms.\n\n",
      static_cast<long long>(kFetchTime.count()), static_cast<long long>(kImpatience.count()));
  std::printf("%-18s  %-28s  %s\n", "step", "the patient client got",
              "the store kept working after the impatient client left");
  int failures = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string step = std::filesystem::path(argv[i]).parent_path().filename().string();
    try {
      ServerProcess server{argv[i], {"--fetch-ms", std::to_string(kFetchTime.count())}};
      const std::string patient = PatientClient(server);
      const std::string impatient = ImpatientClient(server);
      std::printf("%-18s  %-28s  %s\n", step.c_str(), patient.c_str(), impatient.c_str());
    } catch (const std::exception& error) {
      std::printf("%-18s  failed: %s\n", step.c_str(), error.what());
      ++failures;
    }
    std::fflush(stdout);
  }
  return failures == 0 ? 0 : 1;
}
