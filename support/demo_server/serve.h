#pragma once

#include "http_cancel/cancelling_server.h"
#include "support/demo_server/event_log.h"
#include "support/demo_server/options.h"

namespace demo_server {

// Serves `http` on the host and port in `options` until SIGINT or SIGTERM, which cancel
// the requests in flight and stop it cleanly. Prints "listening on http://HOST:PORT" first,
// then tells `log` every event. Returns the process's exit code.
int Serve(http_cancel::CancellingServer& http, const Options& options, EventLog& log);

}  // namespace demo_server
