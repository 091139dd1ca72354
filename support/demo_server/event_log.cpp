#include "event_log.h"

#if !defined(_WIN32)
#include <unistd.h>
#endif

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <string>

namespace demo_server {

PrintedEventLog::PrintedEventLog(std::FILE* out) : out_(out), fd_(-1) {
  std::fflush(out_);
#if !defined(_WIN32)
  fd_ = fileno(out_);
#endif
}

void PrintedEventLog::PrintAt(std::string_view event, Clock::time_point when) {
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch());
  char line[512];
  auto [end, error] = std::to_chars(line, line + 32, now.count());
  *end++ = ' ';
  const std::size_t length = std::min(event.size(), sizeof line - static_cast<std::size_t>(end - line) - 1);
  end = std::copy_n(event.data(), length, end);
  *end++ = '\n';
  Write(std::string_view(line, static_cast<std::size_t>(end - line)));
}

#if defined(_WIN32)
// One line, one fwrite: a stream locks itself for each call (C11 7.21.2), so lines from
// different threads never mix; flushed at once, so that a reader sees each event as it happens.
void PrintedEventLog::Write(std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}
#else
// One line, one write(2) to the stream's file: no lock of ours or of stdio's, which thousands
// of threads would queue on. A pipe takes a line this short whole (PIPE_BUF is at least 512
// bytes), and a file's offset moves atomically, so lines from different threads never mix.
void PrintedEventLog::Write(std::string_view line) {
  while (::write(fd_, line.data(), line.size()) < 0 && errno == EINTR) {
  }
}
#endif

}  // namespace demo_server
