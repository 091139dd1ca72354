#include "server.h"

CancellableHandler Server(Store& store) {
  return [&store](const httplib::Request&, httplib::Response& response, std::stop_token) {
    store.Cancel();
    response.set_content(store.Fetch(), "text/plain");
  };
}
