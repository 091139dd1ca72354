#include "server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "test_doubles.h"

namespace {

using ::testing::_;
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
  EXPECT_TRUE(NothingWasWritten(response));
}

// The same two tests with GoogleMock: the expectations come first.

TEST(ServerWithMockStore, ReturnsDataFromStore) {
  MockStore store;
  EXPECT_CALL(store, Fetch(_)).WillOnce(Return("hello, world"));

  httplib::Response response;
  Server(store)({}, response, kNeverCancelled);

  EXPECT_EQ(response.body, "hello, world");
}

TEST(ServerWithMockStore, AnswersAStoreFailureWith500) {
  MockStore store;
  EXPECT_CALL(store, Fetch(_))
      .WillOnce(Return(std::unexpected(std::make_error_code(std::errc::io_error))));

  httplib::Response response;
  Server(store)({}, response, kNeverCancelled);

  EXPECT_EQ(response.status, 500);
}

TEST(ServerWithMockStore, PassesTheRequestsCancellationToTheStore) {
  MockStore store;
  std::stop_source request;
  EXPECT_CALL(store, Fetch(_)).WillOnce([&](std::stop_token cancelled) {
    request.request_stop();  // the client gives up while the store is working
    EXPECT_TRUE(cancelled.stop_requested()) << "the store was not given the request's stop_token";
    return std::unexpected(std::make_error_code(std::errc::operation_canceled));
  });

  httplib::Response response;
  Server(store)({}, response, request.get_token());

  EXPECT_TRUE(NothingWasWritten(response));
}

}  // namespace
