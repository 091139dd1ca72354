// This step's handler served for real, by the server main.cpp runs, to a client over 127.0.0.1.
#include <gtest/gtest.h>

#include "server.h"
#include "slow_store.h"
#include "testing/loopback_client.h"
#include "testing/loopback_server.h"
#include "testing/recorded_events.h"

namespace {

using namespace std::chrono_literals;

// The naive handler's bug, for real: it cancels every fetch, even one a client waits for.
TEST(RealServer, CancelsEvenAPatientClientsFetch) {
  RecordedEvents events;
  SlowStore store{10s, events};
  LoopbackServer server{Server(store), events};

  loopback::Client client{server.port()};
  client.Get("/");
  const auto response = client.Read();

  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "");
  EXPECT_TRUE(events.Contains("fetch cancelled"));
  EXPECT_FALSE(events.Contains("client gone"));
}

}  // namespace
