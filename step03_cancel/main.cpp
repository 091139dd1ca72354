// This step's handler, served for real: ./stepNN_server --help
#include "demo_server/serve.h"
#include "server.h"
#include "slow_store.h"

int main(int argc, char* argv[]) {
  const Options options = ParseOptionsOrExit(argc, argv);
  PrintedEventLog log{stdout};
  SlowStore store{options.fetch_time, log};
  http_cancel::CancellingServer http;  // declared after the store: it stops first
  http.Get("/", Server(store));
  return Serve(http, options, log);
}
