#include "support/test_helpers/watchdog.h"

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <vector>

namespace watchdog {
namespace {

using Clock = std::chrono::steady_clock;

struct Wait {
  std::uint64_t id;
  std::string what;
};

// What the watchdog knows of the running test. Every change is progress: the patience
// starts again.
struct State {
  std::mutex mutex;
  std::condition_variable_any changed;
  std::string test;         // empty: no test is running
  std::vector<Wait> waits;  // the innermost last
  int bounded_waits = 0;
  std::uint64_t next_id = 0;
  Clock::time_point moved = Clock::now();

  void Moved() {
    moved = Clock::now();
    changed.notify_all();
  }
};

State& state() {
  static State instance;
  return instance;
}

// Says what the hung test was waiting for, and ends the program: its threads cannot be ended
// any other way. std::_Exit runs no destructor, which would join the hung threads.
[[noreturn]] void Bark(const State& s) {
  const std::string what = s.waits.empty() ? "" : s.waits.back().what;
  std::fflush(nullptr);
  std::fprintf(stdout, "\n%s: still waiting after %s for %s.\n", s.test.c_str(), ToText(kPatience).c_str(),
               what.empty() ? "a call to return (the handler, most likely)" : what.c_str());
  std::fprintf(stdout,
               "Does the code under test wait for something nobody signals, or join a thread while holding\n"
               "a lock that thread needs? A thread that waits can be neither joined nor killed: the test\n"
               "program ends here, and the tests after this one did not run.\n"
               "[  FAILED  ] %s (hung)\n",
               s.test.c_str());
  std::fflush(nullptr);
  std::_Exit(EXIT_FAILURE);
}

}  // namespace

WaitingFor::WaitingFor(std::string what) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  id_ = ++s.next_id;
  s.waits.push_back({id_, std::move(what)});
  s.Moved();
}

WaitingFor::~WaitingFor() {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  std::erase_if(s.waits, [this](const Wait& wait) { return wait.id == id_; });
  s.Moved();
}

BoundedWait::BoundedWait() {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  ++s.bounded_waits;
  s.Moved();
}

BoundedWait::~BoundedWait() {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  --s.bounded_waits;
  s.Moved();
}

std::string ToText(std::chrono::milliseconds patience) {
  if (patience.count() % 1000 == 0) return std::to_string(patience.count() / 1000) + " s";
  return std::to_string(patience.count()) + " ms";
}

void TestStarted(std::string name) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.test = std::move(name);
  s.Moved();
}

void TestEnded() {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.test.clear();
  s.Moved();
}

void Watch(std::stop_token stop) {
  auto& s = state();
  std::unique_lock lock(s.mutex);
  while (!stop.stop_requested()) {
    if (s.test.empty() || s.bounded_waits > 0) {
      s.changed.wait(lock, stop, [&] { return !s.test.empty() && s.bounded_waits == 0; });
      continue;
    }
    const auto moved = s.moved;
    // Wakes when anything moves; barks when nothing has for kPatience.
    if (!s.changed.wait_until(lock, stop, moved + kPatience, [&] { return s.moved != moved; }) &&
        !stop.stop_requested()) {
      Bark(s);
    }
  }
}

}  // namespace watchdog
