#include "slow_store.h"

#include <condition_variable>
#include <mutex>

std::expected<std::string, std::error_code> SlowStore::Fetch(std::stop_token cancelled) {
  log_.Print("fetch started");
  // The slow work: it ends after fetch_time_, or as soon as the request is cancelled. A fetch that
  // takes no time skips the wait: even a wait of zero sleeps until a timer fires.
  if (fetch_time_ > std::chrono::milliseconds::zero()) {
    std::mutex mutex;
    std::condition_variable_any nothing_to_wait_for;
    std::unique_lock lock(mutex);
    nothing_to_wait_for.wait_for(lock, cancelled, fetch_time_, [] { return false; });
  }
  if (cancelled.stop_requested()) {
    log_.Print("fetch cancelled");
    return std::unexpected(std::make_error_code(std::errc::operation_canceled));
  }
  log_.Print("fetch completed");
  return "hello, world";
}
