// What a CancellingServer does with input no honest client sends: each gets a 4xx or a closed
// connection, and the server goes on serving everyone else.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "http_cancel/cancelling_server.h"
#include "testing/loopback_client.h"
#include "testing/loopback_server.h"
#include "testing/recorded_events.h"

namespace http_cancel {
namespace {

using namespace std::chrono_literals;

CancellableHandler Hello() {
  return [](const httplib::Request&, httplib::Response& response, std::stop_token) {
    response.set_content("hello", "text/plain");
  };
}

// A client that asks nicely is still answered.
void ExpectStillServing(LoopbackServer& server) {
  loopback::Client client{server.port()};
  client.Get();
  const auto response = client.Read();
  ASSERT_TRUE(response) << "the server no longer answers";
  EXPECT_EQ(response->body, "hello");
}

// The status of the answer to `bytes`, or 0 when the connection was closed without one.
int StatusFor(LoopbackServer& server, const std::string& bytes) {
  loopback::Client client{server.port()};
  client.Send(bytes);
  const auto response = client.Read();
  return response ? response->status : 0;
}

class BadInput : public ::testing::Test {
 protected:
  RecordedEvents events;
  LoopbackServer server{Hello(), events, [](CancellingServer& http) {
                          http.set_header_limits(300ms, 16 * 1024);
                          http.Post("/.*", Hello());
                        }};
};

TEST_F(BadInput, AMalformedRequestLineGets400) {
  EXPECT_EQ(StatusFor(server, "GARBAGE\r\n\r\n"), 400);
  EXPECT_EQ(StatusFor(server, "GET /\r\n\r\n"), 400);
  ExpectStillServing(server);
}

TEST_F(BadInput, BinaryGarbageGets400OrAClosedConnection) {
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 7919) % 256);
  const int status = StatusFor(server, garbage);
  EXPECT_TRUE(status == 400 || status == 0) << status;
  ExpectStillServing(server);
}

TEST_F(BadInput, AHugeHeaderLineGets400) {
  EXPECT_EQ(StatusFor(server, "GET / HTTP/1.1\r\nX-Big: " + std::string(20'000, 'a') + "\r\n\r\n"), 400);
  ExpectStillServing(server);
}

TEST_F(BadInput, HeadersWithoutEndAreCutOff) {
  std::string request = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 1000; ++i) request += "X-Header-" + std::to_string(i) + ": value\r\n";
  request += "\r\n";  // about 24 KiB of headers, over the 16 KiB limit
  const int status = StatusFor(server, request);
  EXPECT_TRUE(status == 400 || status == 0) << status;
  ExpectStillServing(server);
}

// The body is read and thrown away, never kept: the default limit is 1 MiB.
TEST_F(BadInput, AnOversizedBodyGets413) {
  loopback::Client client{server.port()};
  client.Send("POST / HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n" + std::string(2'000'000, 'x'));
  const auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  ExpectStillServing(server);
}

// Slowloris: half a request, then nothing. The client is turned away once the header time
// is up, and others are served meanwhile.
TEST_F(BadInput, AClientThatSendsHalfARequestAndStallsIsTurnedAway) {
  loopback::Client slow{server.port()};
  slow.Send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
  ExpectStillServing(server);
  const auto response = slow.Read(5s);
  if (response) {
    EXPECT_EQ(response->status, 400);
  }
  EXPECT_TRUE(slow.ClosedByServer()) << "the stalled client was never turned away";
}

}  // namespace
}  // namespace http_cancel
