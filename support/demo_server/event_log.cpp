#include "event_log.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <string>

namespace demo_server {

void PrintedEventLog::PrintAt(std::string_view event, Clock::time_point when) {
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch());
  // One line, one fwrite: a stream locks itself for each call (C11 7.21.2), so lines from
  // different threads never mix; flushed at once, so that a reader sees each event as it happens.
  char line[512];
  auto [end, error] = std::to_chars(line, line + 32, now.count());
  *end++ = ' ';
  const std::size_t length = std::min(event.size(), sizeof line - static_cast<std::size_t>(end - line) - 1);
  end = std::copy_n(event.data(), length, end);
  *end++ = '\n';
  std::fwrite(line, 1, static_cast<std::size_t>(end - line), out_);
  std::fflush(out_);
}

}  // namespace demo_server
