#include "event_log.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <string>

void PrintedEventLog::PrintAt(std::string_view event, Clock::time_point when) {
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch());
  // One line, one write(2), and no lock: a write of up to 4096 bytes to a pipe is never split
  // by others, and writes to a file each get a place of their own.
  char line[512];
  auto [end, error] = std::to_chars(line, line + 32, now.count());
  *end++ = ' ';
  const std::size_t length = std::min(event.size(), sizeof line - static_cast<std::size_t>(end - line) - 1);
  end = std::copy_n(event.data(), length, end);
  *end++ = '\n';
  [[maybe_unused]] auto written = ::write(fd_, line, static_cast<std::size_t>(end - line));
}
