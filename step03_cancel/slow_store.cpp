#include "slow_store.h"

#include <utility>

std::string SlowStore::Fetch() {
  log_.Print("fetch started");
  std::unique_lock lock(mutex_);
  const auto cancels_before = cancels_;
  ++fetches_in_progress_;
  // The slow work: it ends after fetch_time_, or as soon as Cancel() is called. A fetch that
  // takes no time skips the wait: even a wait of zero sleeps until a timer fires.
  bool cancelled = std::exchange(cancel_next_fetch_, false);
  if (!cancelled && fetch_time_ > std::chrono::milliseconds::zero()) {
    cancelled = cancelled_.wait_for(lock, fetch_time_, [&] { return cancels_ != cancels_before; });
  }
  --fetches_in_progress_;
  lock.unlock();
  log_.Print(cancelled ? "fetch cancelled" : "fetch completed");
  return cancelled ? "" : "hello, world";
}

void SlowStore::Cancel() {
  {
    std::lock_guard lock(mutex_);
    if (fetches_in_progress_ == 0) {
      cancel_next_fetch_ = true;
    } else {
      ++cancels_;
    }
  }
  cancelled_.notify_all();
}
