#include "server.h"

httplib::Server::Handler Server(Store& store) {
  return [&store](const httplib::Request&, httplib::Response& response) {
    response.set_content(store.Fetch(), "text/plain");
  };
}
