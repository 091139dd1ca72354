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
  EXPECT_FALSE(events.Contains("fetch cancelled"));
}

// A fetch of a minute ends as soon as its client hangs up: only cancelling ends it this
// soon. Nothing is written for the cancelled request.
TEST(RealServer, CancelsTheFetchWhenTheClientHangsUp) {
  loopback::RecordedEvents events;
  SlowStore store{1min, events};
  loopback::Server server{Server(store), events};

  loopback::Client client{server.port()};
  client.Get("/");
  ASSERT_TRUE(events.WaitFor("fetch started"));
  client.HangUp();

  ASSERT_TRUE(events.WaitFor("response not written"));
  EXPECT_TRUE(events.InOrder("client gone", "fetch cancelled"));
  EXPECT_FALSE(events.Contains("fetch completed"));
}

}  // namespace
