// libFuzzer: whatever bytes a client sends, the request path must not crash, leak or hang.
// The bytes go through a real socket into CancellingServer's connection loop, then into
// cpp-httplib's parser, which the fuzz preset compiles with the fuzzer's instrumentation too.
//
//   cmake --preset fuzz && cmake --build --preset fuzz
//   build/fuzz/maintainers/fuzz/request_fuzzer -max_total_time=60 NEW_CORPUS_DIR maintainers/fuzz/corpus
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <thread>

#include "http_cancel/cancelling_server.h"

namespace {

// Reaches the connection loop without a listening socket.
class FuzzedServer : public http_cancel::CancellingServer {
 public:
  FuzzedServer() {
    Get("/.*", [](const httplib::Request& request, httplib::Response& response, std::stop_token cancelled) {
      if (!cancelled.stop_requested()) response.set_content(request.path, "text/plain");
    });
    Post("/.*", [](const httplib::Request& request, httplib::Response& response) {
      response.set_content(request.body, "text/plain");
    });
    set_header_limits(std::chrono::milliseconds(200), 64 * 1024);
    set_read_timeout(std::chrono::milliseconds(200));  // the input ends with a half-close: nothing waits long
  }
  using CancellingServer::ServeConnection;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static FuzzedServer server;
  int ends[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) return 0;
  const int client = ends[1];
  {
    // The client sends everything, then says it is done, and reads whatever comes back;
    // each on its own thread, so that neither fills a socket buffer and waits forever.
    std::jthread sending([&] {
      for (std::size_t sent = 0; sent < size;) {
        const auto n = ::send(client, data + sent, size - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
      }
      ::shutdown(client, SHUT_WR);
    });
    std::jthread reading([&] {
      char buffer[4096];
      while (::recv(client, buffer, sizeof buffer, 0) > 0) {
      }
    });
    server.ServeConnection(ends[0]);  // closes the server's end
  }
  ::close(client);
  return 0;
}
