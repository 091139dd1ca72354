#include "slow_store.h"

#include <thread>

std::string SlowStore::Fetch() {
  log_.Print("fetch started");
  std::this_thread::sleep_for(fetch_time_);  // the slow work
  log_.Print("fetch completed");
  return "hello, world";
}
