#pragma once

#include <functional>

#include "http_cancel/cancelling_server.h"
#include "http_cancel/test/loopback_server.h"
#include "support/demo_server/event_log.h"
#include "support/test_helpers/watchdog.h"

namespace loopback {

// Serves one handler for GET of any path on 127.0.0.1, any free port, from a thread of its own, for as
// long as it lives; the server tells `log` what happens. `configure`, if given, sets the
// server up before it listens. Declare the store before it, so that the store outlives it.
class Server {
 public:
  template <http_cancel::RouteHandler Handler>
  Server(Handler handler, demo_server::EventLog& log,
         const std::function<void(http_cancel::CancellingServer&)>& configure = {})
      : server_(
            std::move(handler),
            [&log](const http_cancel::Event& event) { log.PrintAt(http_cancel::ToText(event), event.when); },
            configure) {}
  ~Server() {
    const watchdog::WaitingFor stopped{"the server to stop: it waits for its handlers to return"};
    server_.http().stop();
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const { return server_.port(); }
  http_cancel::CancellingServer& http() { return server_.http(); }

 private:
  http_cancel::test::LoopbackServer server_;
};

}  // namespace loopback
