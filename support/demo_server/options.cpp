#include "options.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

namespace demo_server {
namespace {

std::optional<long long> ToNumber(std::string_view text, long long min, long long max) {
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value < min || value > max) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::string Usage(const std::string& program) {
  return "usage: " + program +
         " [--host HOST] [--port PORT] [--fetch-ms MILLISECONDS] [--max-threads N] [--timeout-ms MILLISECONDS]\n"
         "  --host         address to listen on (default 127.0.0.1: this machine only)\n"
         "  --port         port to listen on, 0 for any free port (default 0)\n"
         "  --fetch-ms     how long the store takes to fetch (default 2000)\n"
         "  --max-threads  threads at most, each serving a connection or a request (default 16384)\n"
         "  --timeout-ms   cancel a request that takes longer, 0 for never (default 0)\n";
}

std::expected<Options, std::string> ParseOptions(std::span<const char* const> arguments) {
  Options options;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    std::string_view flag = arguments[i];
    std::optional<std::string_view> value;
    if (const auto equals = flag.find('='); equals != std::string_view::npos) {
      value = flag.substr(equals + 1);
      flag = flag.substr(0, equals);
    } else if (i + 1 < arguments.size()) {
      value = arguments[++i];
    }
    if (flag != "--host" && flag != "--port" && flag != "--fetch-ms" && flag != "--max-threads" &&
        flag != "--timeout-ms") {
      return std::unexpected("unknown flag: " + std::string(flag));
    }
    if (!value) return std::unexpected(std::string(flag) + " needs a value");
    if (flag == "--host") {
      if (value->empty()) return std::unexpected("--host needs an address");
      options.host = *value;
    } else if (flag == "--port") {
      const auto port = ToNumber(*value, 0, 65535);
      if (!port) return std::unexpected("--port takes a number from 0 to 65535, not '" + std::string(*value) + "'");
      options.port = static_cast<int>(*port);
    } else if (flag == "--max-threads") {
      const auto threads = ToNumber(*value, 1, 100000);
      if (!threads)
        return std::unexpected("--max-threads takes a number from 1 to 100000, not '" + std::string(*value) + "'");
      options.max_threads = static_cast<std::size_t>(*threads);
    } else {
      const auto ms = ToNumber(*value, 0, 24LL * 60 * 60 * 1000);
      if (!ms) {
        return std::unexpected(std::string(flag) + " takes milliseconds from 0 to 86400000, not '" +
                               std::string(*value) + "'");
      }
      (flag == "--fetch-ms" ? options.fetch_time : options.request_timeout) = std::chrono::milliseconds(*ms);
    }
  }
  return options;
}

Options ParseOptionsOrExit(int argc, char* argv[]) {
  const std::string program = argc > 0 ? argv[0] : "server";
  std::span<const char* const> arguments(const_cast<const char* const*>(argv) + (argc > 0 ? 1 : 0),
                                         static_cast<std::size_t>(argc > 0 ? argc - 1 : 0));
  for (std::string_view argument : arguments) {
    if (argument == "--help" || argument == "-h") {
      std::fputs(Usage(program).c_str(), stdout);
      std::exit(0);
    }
  }
  auto options = ParseOptions(arguments);
  if (!options) {
    std::fprintf(stderr, "%s: %s\n%s", program.c_str(), options.error().c_str(), Usage(program).c_str());
    std::exit(2);
  }
  return *options;
}

}  // namespace demo_server
