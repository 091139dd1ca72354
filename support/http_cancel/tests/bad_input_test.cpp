// What a CancellingServer does with input no honest client sends: each gets a 4xx or a closed
// connection, at once, and the server goes on serving everyone else.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "http_cancel/cancelling_server.h"
#include "http_cancel/test/loopback_client.h"
#include "http_cancel/test/loopback_server.h"
#include "http_cancel/test/recorded_events.h"

namespace http_cancel {
namespace {

using namespace std::chrono_literals;

constexpr auto kPatience = 5s;  // only a bug makes a test wait this long

// Says which path it answers, so that a test sees which requests were served.
CancellableHandler Hello() {
  return [](const httplib::Request& request, httplib::Response& response, std::stop_token) {
    response.set_content(request.path == "/" ? "hello" : "hello " + request.path, "text/plain");
  };
}

// A client that asks nicely is still answered.
void ExpectStillServing(test::LoopbackServer& server) {
  test::Client client{server.port()};
  client.Get();
  const auto response = client.Read();
  ASSERT_TRUE(response) << "the server no longer answers";
  EXPECT_EQ(response->body, "hello");
}

// The status of the answer to `bytes`, or 0 when the connection was closed without one.
int StatusFor(test::LoopbackServer& server, const std::string& bytes) {
  test::Client client{server.port()};
  client.Send(bytes);
  const auto response = client.Read();
  return response ? response->status : 0;
}

// What the server answers on one connection to `bytes` followed by "GET /next": each
// response's status and body in order, up to /next's, then "closed" when the server closed the
// connection instead, or "waiting" when it did neither within the test's patience.
std::vector<std::string> AnswersTo(test::LoopbackServer& server, const std::string& bytes) {
  test::Client client{server.port()};
  client.Send(bytes);
  client.Send("GET /next HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  std::vector<std::string> answers;
  while (const auto response = client.Read(kPatience)) {
    answers.push_back(std::to_string(response->status) + " " + response->body);
    if (response->body == "hello /next") return answers;
  }
  answers.push_back(client.ClosedByServer(0ms) ? "closed" : "waiting");
  return answers;
}

using Answers = std::vector<std::string>;

class BadInput : public ::testing::Test {
 protected:
  test::RecordedEvents events;
  test::LoopbackServer server{Hello(), events.Listener(), [](CancellingServer& http) {
                                http.set_header_limits(300ms, 16 * 1024);
                                // Longer than the test's patience: an answer that waits for it fails.
                                http.set_read_timeout(30s);
                                http.Post("/.*", Hello());
                                const auto hello = Hello();
                                const auto plain = [hello](const httplib::Request& request,
                                                           httplib::Response& response) {
                                  hello(request, response, {});
                                };
                                http.Delete("/.*", plain);
                                http.Options("/.*", plain);
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

// Slowloris: half a request, then nothing. The client is turned away once the header time
// is up, and others are served meanwhile.
TEST_F(BadInput, AClientThatSendsHalfARequestAndStallsIsTurnedAway) {
  test::Client slow{server.port()};
  slow.Send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
  ExpectStillServing(server);
  const auto response = slow.Read(5s);
  if (response) {
    EXPECT_EQ(response->status, 400);
  }
  EXPECT_TRUE(slow.ClosedByServer()) << "the stalled client was never turned away";
}

// ---- Framing (RFC 9112, section 6): where a request's body ends, whatever its method ----------

TEST_F(BadInput, AGetBodyIsReadAsABodyNeverAsTheNextRequest) {
  const std::string hidden = "GET /hidden HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  EXPECT_EQ(AnswersTo(server, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + std::to_string(hidden.size()) +
                                  "\r\n\r\n" + hidden),
            (Answers{"200 hello", "200 hello /next"}));
}

TEST_F(BadInput, ABodyIsFramedByContentLengthWhateverTheMethod) {
  const std::string hidden = "GET /hidden HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  for (const std::string method : {"HEAD", "DELETE", "OPTIONS", "POST"}) {
    const auto answers = AnswersTo(server, method + " / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
                                               std::to_string(hidden.size()) + "\r\n\r\n" + hidden);
    ASSERT_EQ(answers.size(), 2u) << method;
    EXPECT_EQ(answers[1], "200 hello /next") << method << ": the body was answered as a request";
  }
}

TEST_F(BadInput, AChunkedBodyIsReadAsABodyNeverAsTheNextRequest) {
  const std::string hidden = "GET /hidden HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  char size[16];
  std::snprintf(size, sizeof size, "%zx", hidden.size());
  EXPECT_EQ(AnswersTo(server, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n" +
                                  std::string(size) + "\r\n" + hidden + "\r\n0\r\n\r\n"),
            (Answers{"200 hello", "200 hello /next"}));
}

TEST_F(BadInput, AnInvalidContentLengthIsRefusedAtOnce) {
  for (const std::string length : {"-5", "abc", "5abc", "+5", "0x5", "5, 5", "5 5", "99999999999999999999999"}) {
    const auto answers =
        AnswersTo(server, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + length + "\r\n\r\nhello");
    ASSERT_FALSE(answers.empty());
    EXPECT_TRUE(answers[0].starts_with("400") || answers[0].starts_with("413") || answers[0] == "closed")
        << "Content-Length: " << length << " got " << answers[0];
    EXPECT_EQ(answers.back(), "closed") << "Content-Length: " << length;
  }
}

TEST_F(BadInput, TwoContentLengthsAreRefusedAtOnce) {
  for (const std::string second : {"6", "5"}) {
    const auto answers =
        AnswersTo(server, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nContent-Length: " + second +
                              "\r\n\r\nhello!");
    EXPECT_EQ(answers, (Answers{"400 ", "closed"})) << "Content-Length: 5 and " << second;
  }
}

TEST_F(BadInput, ContentLengthWithTransferEncodingIsRefusedAtOnce) {
  for (const std::string length : {"5", "0"}) {
    const auto answers = AnswersTo(server, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + length +
                                               "\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    EXPECT_EQ(answers, (Answers{"400 ", "closed"})) << "Content-Length: " << length;
  }
}

TEST_F(BadInput, ATransferEncodingThatIsNotChunkedIsRefusedAtOnce) {
  EXPECT_EQ(AnswersTo(server, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip\r\n\r\nhello"),
            (Answers{"400 ", "closed"}));
}

// Refused before its body comes: a client that declares more than the limit (1 MiB by default)
// is not waited for.
TEST_F(BadInput, AnOverLimitContentLengthIsRefusedAtOnce) {
  const auto answers = AnswersTo(server, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2000000\r\n\r\n");
  ASSERT_FALSE(answers.empty());
  EXPECT_TRUE(answers[0].starts_with("413")) << answers[0];
  EXPECT_EQ(answers.back(), "closed");
}

// A chunked body's length is known only as it comes: it is refused as soon as it passes the
// limit, without waiting for the rest.
TEST_F(BadInput, AnOverLimitChunkedBodyIsRefusedOnceItPassesTheLimit) {
  const auto answers = AnswersTo(server,
                                 "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                 "1E8480\r\n" +
                                     std::string(1024 * 1024 + 1, 'x'));
  ASSERT_FALSE(answers.empty());
  EXPECT_TRUE(answers[0].starts_with("413")) << answers[0];
  EXPECT_EQ(answers.back(), "closed");
}

TEST_F(BadInput, AnOverflowingChunkSizeIsRefusedAtOnce) {
  const auto answers = AnswersTo(
      server, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n1FFFFFFFFFFFFFFFFF\r\nhello");
  ASSERT_FALSE(answers.empty());
  EXPECT_TRUE(answers[0].starts_with("400") || answers[0].starts_with("413")) << answers[0];
  EXPECT_EQ(answers.back(), "closed");
}

// set_payload_max_length(0) means no limit, as in cpp-httplib: no length is over it.
TEST(BadInputWithoutALimit, ABodyOfAnyLengthIsRead) {
  test::RecordedEvents events;
  test::LoopbackServer server{Hello(), events.Listener(), [](CancellingServer& http) {
                                http.set_payload_max_length(0);
                                http.Post("/.*", Hello());
                              }};
  EXPECT_EQ(AnswersTo(server, "POST /posted HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello"),
            (Answers{"200 hello /posted", "200 hello /next"}));
}

}  // namespace
}  // namespace http_cancel
