#include "event_log.h"

#include <chrono>

void PrintedEventLog::Print(std::string_view event) {
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
  std::lock_guard lock(mutex_);
  std::fprintf(out_, "%lld %.*s\n", static_cast<long long>(now.count()), static_cast<int>(event.size()),
               event.data());
  std::fflush(out_);
}
