#include "server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "test_doubles.h"

namespace {

using ::testing::Return;

// A request that is never cancelled: Go's context.Background().
const std::stop_token kNeverCancelled;

TEST(Server, ReturnsDataFromStore) {
  const std::string data = "hello, world";
  SpyStore store{data};
  store.FinishFetch();
  auto server = Server(store);

  httplib::Request request;
  httplib::Response response;
  server(request, response, kNeverCancelled);

  EXPECT_EQ(response.body, data);
  EXPECT_TRUE(WasNotCancelled(store));
}

TEST(Server, TellsStoreToCancelWorkIfRequestIsCancelled) {
  SpyStore store{"hello, world"};
  auto server = Server(store);
  std::stop_source request;

  httplib::Response response;
  std::jthread serving{[&] { server({}, response, request.get_token()); }};
  ASSERT_TRUE(store.WaitUntilFetchStarted());
  request.request_stop();  // the client gives up while the store is working
  const watchdog::WaitingFor handler{"the handler to return after its request was cancelled"};
  serving.join();

  EXPECT_TRUE(WasCancelled(store));
}

// The same two tests with GoogleMock: the expectations come first.

TEST(ServerWithMockStore, ReturnsDataFromStore) {
  MockStore store;
  EXPECT_CALL(store, Fetch()).WillOnce(Return("hello, world"));
  EXPECT_CALL(store, Cancel()).Times(0);

  httplib::Response response;
  Server(store)({}, response, kNeverCancelled);

  EXPECT_EQ(response.body, "hello, world");
}

TEST(ServerWithMockStore, TellsStoreToCancelWorkIfRequestIsCancelled) {
  MockStore store;
  std::stop_source request;
  std::binary_semaphore cancel_called{0};
  EXPECT_CALL(store, Fetch()).WillOnce([&] {
    request.request_stop();  // the client gives up while the store is working...
    EXPECT_TRUE(WasCalled(cancel_called)) << "the store was not told to cancel";
    return "";  // ...and the store stops when told to
  });
  EXPECT_CALL(store, Cancel()).WillOnce([&] { cancel_called.release(); });

  httplib::Response response;
  Server(store)({}, response, request.get_token());
}

}  // namespace
