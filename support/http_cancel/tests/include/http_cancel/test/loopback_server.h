#pragma once

#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "http_cancel/cancelling_server.h"

namespace http_cancel::test {

// Serves `handler` for GET of any path on 127.0.0.1, any free port, from a thread of its own,
// for as long as it lives, telling `listener` its events. `configure`, if given, sets the
// server up before it listens. Declare what the handler uses before it, so that it outlives it.
class LoopbackServer {
 public:
  template <RouteHandler Handler>
  LoopbackServer(Handler handler, CancellingServer::EventListener listener,
                 const std::function<void(CancellingServer&)>& configure = {}) {
    http_.Get("/.*", std::move(handler)).set_event_listener(std::move(listener));
    // Set for a second run of the same tests with connections that wait without a thread.
    if (const char* up_to = std::getenv("HTTP_CANCEL_TEST_THREAD_PER_CONNECTION_UP_TO")) {
      http_.set_thread_per_connection_up_to(std::stoul(up_to));
    }
    if (configure) configure(http_);
    port_ = http_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("cannot listen on 127.0.0.1");
    listening_ = std::jthread([this] { http_.listen_after_bind(); });
  }
  ~LoopbackServer() {
    http_.stop();
    listening_.join();
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  int port() const { return port_; }
  CancellingServer& http() { return http_; }

 private:
  CancellingServer http_;
  int port_ = 0;
  std::jthread listening_;
};

}  // namespace http_cancel::test
