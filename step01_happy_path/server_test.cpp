#include "server.h"

#include <gtest/gtest.h>

#include "test_doubles.h"

namespace {

TEST(Server, ReturnsDataFromStore) {
  const std::string data = "hello, world";
  StubStore store{data};
  auto server = Server(store);

  httplib::Request request;
  httplib::Response response;
  server(request, response);

  EXPECT_EQ(response.body, data);
}

}  // namespace
