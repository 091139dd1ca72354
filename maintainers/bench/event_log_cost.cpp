// What one event line costs the server that prints it: PrintedEventLog::Print(), as every
// step's server calls it (a clock read, a mutex, fprintf and fflush: one write() each time),
// timed on one thread. The line goes to /dev/null, to a file, or into a pipe that another
// thread reads, as cancel_latency reads a server's lines.
//
//   event_log_cost [--lines N]
//
// The last line, "summary key=value ...", is for maintainers/bench/run.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "maintainers/bench/count_argument.h"
#include "support/demo_server/event_log.h"

namespace {

using Clock = std::chrono::steady_clock;

// Nanoseconds per line, printed `lines` times to `out`.
double NanosecondsPerLine(std::FILE* out, int lines) {
  demo_server::PrintedEventLog log{out};
  const auto start = Clock::now();
  for (int i = 0; i < lines; ++i) log.Print("fetch started");
  return std::chrono::duration<double, std::nano>(Clock::now() - start).count() / lines;
}

}  // namespace

int main(int argc, char* argv[]) {
  const auto parsed_lines = bench::OnlyCountArgument(argc, argv, "--lines", 100'000);
  if (!parsed_lines) {
    std::fprintf(stderr, "usage: %s [--lines N]\n", argv[0]);
    return 2;
  }
  const int lines = *parsed_lines;

  std::FILE* null = std::fopen("/dev/null", "w");
  std::FILE* file = std::tmpfile();  // a real file, removed when closed
  int pipe_fds[2];
  if (!null || !file || ::pipe(pipe_fds) != 0) {
    std::perror("event_log_cost");
    return 1;
  }
  std::FILE* pipe = ::fdopen(pipe_fds[1], "w");
  std::thread reader([fd = pipe_fds[0]] {
    char buffer[4096];
    while (::read(fd, buffer, sizeof buffer) > 0) {
    }
    ::close(fd);
  });

  const double to_null = NanosecondsPerLine(null, lines);
  const double to_file = NanosecondsPerLine(file, lines);
  const double to_pipe = NanosecondsPerLine(pipe, lines);
  std::fclose(pipe);  // the reader sees the end, and returns
  reader.join();
  std::fclose(file);
  std::fclose(null);

  std::printf("one event line, %d times (us per line): /dev/null %.2f  file %.2f  pipe %.2f\n", lines, to_null / 1000,
              to_file / 1000, to_pipe / 1000);
  std::printf("summary lines=%d null_us=%.2f file_us=%.2f pipe_us=%.2f\n", lines, to_null / 1000, to_file / 1000,
              to_pipe / 1000);
  return 0;
}
