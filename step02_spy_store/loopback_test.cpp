// This step's handler served for real, by the server main.cpp runs, to a client over 127.0.0.1.
#include <gtest/gtest.h>

#include "server.h"
#include "slow_store.h"
#include "testing/loopback_client.h"
#include "testing/loopback_server.h"
#include "testing/recorded_events.h"

namespace {

using namespace std::chrono_literals;

// A fetch of a minute ends for a client that hangs up: only cancelling ends it this soon.
TEST(RealServer, CancelsTheFetchWhenTheClientHangsUp) {
  RecordedEvents events;
  SlowStore store{1min, events};
  LoopbackServer server{Server(store), events};

  loopback::Client client{server.port()};
  client.Get("/");
  ASSERT_TRUE(events.WaitFor("fetch started"));
  client.HangUp();

  ASSERT_TRUE(events.WaitFor("fetch cancelled"));
  EXPECT_FALSE(events.Contains("fetch completed"));
}

}  // namespace
