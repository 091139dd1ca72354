// This step's handler, served for real: ./stepNN_server --help
#include "server.h"
#include "slow_store.h"
#include "support/demo_server/serve.h"

int main(int argc, char* argv[]) {
  const auto options = demo_server::ParseOptionsOrExit(argc, argv);
  demo_server::PrintedEventLog log{stdout};
  SlowStore store{options.fetch_time, log};
  http_cancel::CancellingServer http;  // declared after the store: it stops first
  http.Get("/", Server(store));
  return demo_server::Serve(http, options, log);
}
