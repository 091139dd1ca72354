#include "server.h"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

CancellableHandler Server(Store& store) {
  return [&store](const httplib::Request&, httplib::Response& response, std::stop_token cancelled) {
    std::mutex mutex;
    std::condition_variable_any fetched;
    std::optional<std::string> data;

    // The fetch runs beside us. A jthread joins when it goes out of scope, so the fetch
    // never outlives this request, nor the store and the variables above.
    std::jthread fetching{[&] {
      std::string result = store.Fetch();
      std::lock_guard lock(mutex);
      data = std::move(result);
      fetched.notify_one();
    }};

    // Wait for the data, or for the request to be cancelled, whichever comes first: Go's select.
    std::unique_lock lock(mutex);
    if (fetched.wait(lock, cancelled, [&] { return data.has_value(); })) {
      response.set_content(*data, "text/plain");
      return;
    }
    lock.unlock();
    store.Cancel();  // the fetch stops, and `fetching` joins it
  };
}
