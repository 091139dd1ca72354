#pragma once

#include <chrono>
#include <cstdint>
#include <stop_token>
#include <string>

// The watchdog of the steps' test programs (test_main.cpp runs it). A test that waits for
// something that never happens would hang its program for ever, and a thread that waits can
// be neither joined nor killed: the watchdog ends the program instead, saying which test was
// waiting, for what, and for how long. It never passes a test: it ends only a test that would
// otherwise never end.
namespace watchdog {

// How long a test waits at most for what a correct solution does at once. Generous: under
// ThreadSanitizer, on a loaded machine, the steps' tests take milliseconds.
inline constexpr std::chrono::seconds kPatience{5};

// Until the end of its scope, the running test waits for `what`, and that wait may never end
// (joining a thread, stopping a server): "the handler to return after its request was
// cancelled". If nothing has moved for kPatience, the watchdog says so and ends the program.
class WaitingFor {
 public:
  explicit WaitingFor(std::string what);
  ~WaitingFor();
  WaitingFor(const WaitingFor&) = delete;
  WaitingFor& operator=(const WaitingFor&) = delete;

 private:
  std::uint64_t id_;
};

// Until the end of its scope, a wait that ends by itself within kPatience is going on (a test
// double's wait_for, a client's read): the watchdog lets it end, so that the test reports its
// failure, and gives the test a full patience again after it.
class BoundedWait {
 public:
  BoundedWait();
  ~BoundedWait();
  BoundedWait(const BoundedWait&) = delete;
  BoundedWait& operator=(const BoundedWait&) = delete;
};

// "5 s", "300 ms": a patience, in a failure message.
std::string ToText(std::chrono::milliseconds patience);

// For the test main: which test runs, and the watchdog itself, until `stop` is requested.
void TestStarted(std::string name);
void TestEnded();
void Watch(std::stop_token stop);

}  // namespace watchdog
