#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "demo_server/event_log.h"
#include "http_cancel/cancelling_server.h"
#include "testing/watchdog.h"

// Serves one handler for GET of any path on 127.0.0.1, any free port, from a thread of its own, for as
// long as it lives; the server tells `log` what happens. `configure`, if given, sets the
// server up before it listens. Declare the store before it, so that the store outlives it.
class LoopbackServer {
 public:
  template <class Handler>
  LoopbackServer(Handler handler, EventLog& log,
                 const std::function<void(http_cancel::CancellingServer&)>& configure = {}) {
    http_.Get("/.*", std::move(handler));
    if (configure) configure(http_);
    http_.set_event_listener(
        [&log](std::string_view event, EventLog::Clock::time_point when) { log.PrintAt(event, when); });
    port_ = http_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("cannot listen on 127.0.0.1");
    listening_ = std::jthread([this] { http_.listen_after_bind(); });
  }
  ~LoopbackServer() {
    const watchdog::WaitingFor stopped{"the server to stop: it waits for its handlers to return"};
    http_.stop();
    listening_.join();
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  int port() const { return port_; }
  http_cancel::CancellingServer& http() { return http_; }

 private:
  http_cancel::CancellingServer http_;
  int port_ = 0;
  std::jthread listening_;
};
