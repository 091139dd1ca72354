#include "server.h"

CancellableHandler Server(Store& store) {
  return [&store](const httplib::Request&, httplib::Response& response, std::stop_token cancelled) {
    auto data = store.Fetch(cancelled);
    if (!data) return;  // cancelled: nobody waits for an answer, so none is written
    response.set_content(*data, "text/plain");
  };
}
