#pragma once

#include <chrono>
#include <cstddef>
#include <expected>
#include <span>
#include <string>

namespace demo_server {

// What a step's runnable server is told on its command line.
struct Options {
  std::string host = "127.0.0.1";  // loopback only, unless told otherwise
  int port = 0;                    // 0: any free port
  std::chrono::milliseconds fetch_time{2000};
  std::size_t max_threads = 16384;               // threads, at most
  std::chrono::milliseconds request_timeout{0};  // 0: requests have no deadline
};

// The usage message, for --help and for bad flags.
std::string Usage(const std::string& program);

// Parses `--host H --port P --fetch-ms N --max-threads N --timeout-ms N` (also
// `--flag=value`); an error says what is wrong.
std::expected<Options, std::string> ParseOptions(std::span<const char* const> arguments);

// Parses argv; on --help prints the usage and exits 0, on a bad flag prints what is wrong
// and the usage on stderr and exits 2.
Options ParseOptionsOrExit(int argc, char* argv[]);

}  // namespace demo_server
