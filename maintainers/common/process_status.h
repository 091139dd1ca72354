#pragma once

#include <sys/types.h>

#include <fstream>
#include <string>
#include <string_view>

// What Linux says of a running process in /proc/PID/status, for the benchmarks and the
// stress test, which watch a server they started.
namespace process_status {

// A number field: "Threads", or "VmHWM" (peak resident memory, in kB); -1 if absent.
inline long Field(pid_t pid, std::string_view name) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with(name) && line.size() > name.size() && line[name.size()] == ':') {
      return std::stol(line.substr(name.size() + 1));
    }
  }
  return -1;
}

inline long Threads(pid_t pid) {
  return Field(pid, "Threads");
}
inline long PeakRssKib(pid_t pid) {
  return Field(pid, "VmHWM");
}

}  // namespace process_status
