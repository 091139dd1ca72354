#include "server.h"

CancellableHandler Server(Store& store) {
  return [&store](const httplib::Request&, httplib::Response& response, std::stop_token cancelled) {
    const auto data = store.Fetch(cancelled);
    if (data) {
      response.set_content(*data, "text/plain");
    } else if (data.error() != std::errc::operation_canceled) {
      response.status = 500;  // the store failed
    }
    // Cancelled: nobody waits for an answer, so none is written.
  };
}
