// This step's handler served for real, by the server main.cpp runs, to a client over 127.0.0.1.
#include <gtest/gtest.h>

#include "server.h"
#include "slow_store.h"
#include "support/test_helpers/loopback_client.h"
#include "support/test_helpers/loopback_server.h"
#include "support/test_helpers/recorded_events.h"

namespace {

using namespace std::chrono_literals;

TEST(RealServer, AnswersAPatientClient) {
  loopback::RecordedEvents events;
  SlowStore store{1ms, events};
  loopback::Server server{Server(store), events};

  loopback::Client client{server.port()};
  client.Get("/");
  const auto response = client.Read();

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello, world");
}

// The waste the chapter is about: nobody is waiting for the data any more.
TEST(RealServer, StoreGoesOnFetchingAfterTheClientHangsUp) {
  loopback::RecordedEvents events;
  SlowStore store{300ms, events};
  loopback::Server server{Server(store), events};

  loopback::Client client{server.port()};
  client.Get("/");
  ASSERT_TRUE(events.WaitFor("fetch started"));
  client.HangUp();

  ASSERT_TRUE(events.WaitFor("fetch completed"));
  EXPECT_TRUE(events.InOrder("client gone", "fetch completed"));
  EXPECT_FALSE(events.Contains("fetch cancelled"));
}

}  // namespace
