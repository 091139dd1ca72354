#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>

#include "store.h"
#include "support/demo_server/event_log.h"

// SlowStore is a real store, not a test double: a fetch takes `fetch_time` and answers
// "hello, world", unless it is cancelled first; then it answers "" at once.
//
// Cancel() cannot say which fetch it means, so it cancels every fetch in progress, or the
// next one if none is. (Step 04 gives each request a cancellation of its own.)
class SlowStore : public Store {
 public:
  SlowStore(std::chrono::milliseconds fetch_time, demo_server::EventLog& log)
      : fetch_time_(fetch_time), log_(log) {}

  std::string Fetch() override;
  void Cancel() override;

 private:
  const std::chrono::milliseconds fetch_time_;
  demo_server::EventLog& log_;
  std::mutex mutex_;
  std::condition_variable cancelled_;
  std::uint64_t cancels_ = 0;  // how many times fetches in progress were cancelled
  int fetches_in_progress_ = 0;
  bool cancel_next_fetch_ = false;
};
