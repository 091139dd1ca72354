#include "http_cancel/cancelling_server.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <semaphore>
#include <stdexcept>
#include <thread>

#include "testing/loopback_client.h"
#include "testing/loopback_server.h"
#include "testing/recorded_events.h"

namespace http_cancel {
namespace {

using namespace std::chrono_literals;

constexpr auto kPatience = 5s;  // only a bug makes a test wait this long

// A handler that works until its request is cancelled, and tells the test what it saw.
class WorkUntilCancelled {
 public:
  CancellableHandler Handler() {
    return [this](const httplib::Request&, httplib::Response&, std::stop_token cancelled) {
      started_.release();
      std::mutex mutex;
      std::condition_variable_any never_notified;
      std::unique_lock lock(mutex);
      never_notified.wait_for(lock, cancelled, kPatience, [] { return false; });
      was_cancelled_ = cancelled.stop_requested();
      finished_ = true;
    };
  }
  bool WaitUntilStarted() { return started_.try_acquire_for(kPatience); }
  bool was_cancelled() const { return was_cancelled_; }
  bool finished() const { return finished_; }

 private:
  std::counting_semaphore<> started_{0};
  std::atomic<bool> was_cancelled_ = false;
  std::atomic<bool> finished_ = false;
};

// A handler that answers at once, and remembers whether any of its requests was cancelled.
class AnswerAtOnce {
 public:
  CancellableHandler Handler() {
    return [this](const httplib::Request& request, httplib::Response& response, std::stop_token cancelled) {
      response.set_content("you asked for " + request.path, "text/plain");
      if (cancelled.stop_requested()) any_cancelled_ = true;
    };
  }
  bool any_cancelled() const { return any_cancelled_; }

 private:
  std::atomic<bool> any_cancelled_ = false;
};

TEST(CancellingServer, CancelsTheRequestWhenTheClientHangsUp) {
  RecordedEvents events;
  WorkUntilCancelled handler;
  LoopbackServer server{handler.Handler(), events};

  loopback::Client client{server.port()};
  client.Get();
  ASSERT_TRUE(handler.WaitUntilStarted());
  client.HangUp();

  ASSERT_TRUE(events.WaitFor("response not written"));
  EXPECT_TRUE(handler.was_cancelled());
  EXPECT_TRUE(events.InOrder("client gone", "response not written"));
}

// Waits until the server's kernel has acknowledged the client's FIN: from then on, the
// server's socket reports the hang-up.
bool FinAcknowledged(int client_socket) {
  const auto deadline = std::chrono::steady_clock::now() + kPatience;
  while (std::chrono::steady_clock::now() < deadline) {
    tcp_info info{};
    socklen_t length = sizeof info;
    if (::getsockopt(client_socket, IPPROTO_TCP, TCP_INFO, &info, &length) == 0 &&
        info.tcpi_state == TCP_FIN_WAIT2) {
      return true;
    }
    std::this_thread::yield();
  }
  return false;
}

TEST(CancellingServer, CancelsTheRequestBeforeTheHandlerStartsWhenTheClientLeftFirst) {
  RecordedEvents events;
  std::binary_semaphore let_first_finish{0};
  std::binary_semaphore first_started{0};
  std::atomic<int> calls = 0;
  std::atomic<bool> second_cancelled_at_start = false;
  CancellableHandler handler = [&](const httplib::Request&, httplib::Response& response, std::stop_token cancelled) {
    if (calls++ == 0) {  // the first request holds the only serving thread...
      first_started.release();
      EXPECT_TRUE(let_first_finish.try_acquire_for(kPatience));
      response.set_content("first", "text/plain");
    } else {  // ...so the second is read only after its client has left
      second_cancelled_at_start = cancelled.stop_requested();
    }
  };
  LoopbackServer server{handler, events, [](CancellingServer& http) { http.set_thread_limits(1, 1); }};

  loopback::Client first{server.port()};
  first.Get();
  ASSERT_TRUE(first_started.try_acquire_for(kPatience));
  loopback::Client second{server.port()};
  second.Get();
  second.StopSending();  // a half-closed connection counts as gone, as in Go
  ASSERT_TRUE(FinAcknowledged(second.socket()));
  let_first_finish.release();
  first.HangUp();

  ASSERT_TRUE(second.ClosedByServer());
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(second_cancelled_at_start);
}

TEST(CancellingServer, StoppingCancelsEveryRequestAndWaitsForTheirHandlers) {
  RecordedEvents events;
  WorkUntilCancelled handler;
  LoopbackServer server{handler.Handler(), events};
  loopback::Client client{server.port()};
  client.Get();
  ASSERT_TRUE(handler.WaitUntilStarted());

  server.http().stop();

  EXPECT_TRUE(handler.finished());  // stop() returned after the handler did
  EXPECT_TRUE(handler.was_cancelled());
  const auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->body, "server stopping\n");
}

TEST(CancellingServer, CancelsARequestWhoseDeadlinePasses) {
  RecordedEvents events;
  WorkUntilCancelled handler;
  LoopbackServer server{handler.Handler(), events, [](CancellingServer& http) { http.set_request_timeout(20ms); }};

  loopback::Client client{server.port()};
  client.Get();
  const auto response = client.Read();

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->body, "deadline exceeded\n");
  EXPECT_TRUE(handler.was_cancelled());
  EXPECT_TRUE(events.WaitFor("deadline exceeded"));  // told after the stop: it may come late
}

TEST(CancellingServer, NeverCancelsARequestWhoseClientWaits) {
  RecordedEvents events;
  AnswerAtOnce handler;
  {
    LoopbackServer server{handler.Handler(), events};
    loopback::Client client{server.port()};
    client.Get("/patient");
    const auto response = client.Read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, "you asked for /patient");
    client.HangUp();  // after the answer: nothing in flight to cancel
    ASSERT_TRUE(events.WaitFor("response written"));
  }
  EXPECT_FALSE(handler.any_cancelled());
  EXPECT_FALSE(events.Contains("client gone"));
  EXPECT_FALSE(events.Contains("server stopping"));
}

TEST(CancellingServer, ServesKeepAliveRequestsWithoutCancellingThem) {
  RecordedEvents events;
  AnswerAtOnce handler;
  LoopbackServer server{handler.Handler(), events};
  loopback::Client client{server.port()};

  for (const auto* path : {"/1", "/2", "/3"}) {
    client.Get(path);
    const auto response = client.Read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, std::string("you asked for ") + path);
  }
  EXPECT_FALSE(handler.any_cancelled());
}

// The client sends its next requests while the first one is served: that is no hang-up.
TEST(CancellingServer, ServesPipelinedRequestsWithoutCancellingThem) {
  RecordedEvents events;
  AnswerAtOnce handler;
  LoopbackServer server{handler.Handler(), events};
  loopback::Client client{server.port()};

  client.Send(
      "GET /1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
      "GET /2 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
      "GET /3 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

  for (const auto* path : {"/1", "/2", "/3"}) {
    const auto response = client.Read();
    ASSERT_TRUE(response) << "no response for " << path;
    EXPECT_EQ(response->body, std::string("you asked for ") + path);
  }
  EXPECT_FALSE(handler.any_cancelled());
}

// Such a client sends its body only once it is told "100 Continue".
TEST(CancellingServer, AnswersExpect100ContinueBeforeWaitingForTheBody) {
  RecordedEvents events;
  AnswerAtOnce handler;
  LoopbackServer server{handler.Handler(), events,
                        [&](CancellingServer& http) { http.Post("/.*", handler.Handler()); }};
  loopback::Client client{server.port()};

  client.Send("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
  // Less than the 5 s the server waits for a body: a "100 Continue" held back until then fails here.
  const auto go_on = client.Read(2s);
  ASSERT_TRUE(go_on) << "no 100 Continue";
  EXPECT_EQ(go_on->status, 100);
  client.Send("body");
  const auto response = client.Read();

  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "you asked for /upload");
}

TEST(CancellingServer, StillServesPlainCppHttplibHandlers) {
  RecordedEvents events;
  httplib::Server::Handler plain = [](const httplib::Request&, httplib::Response& response) {
    response.set_content("plain", "text/plain");
  };
  LoopbackServer server{plain, events};
  loopback::Client client{server.port()};

  client.Get();
  const auto response = client.Read();

  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "plain");
}

TEST(CancellingServer, AnswersAHandlerThatThrowsWithAShort500) {
  RecordedEvents events;
  CancellableHandler throwing = [](const httplib::Request&, httplib::Response&, std::stop_token) {
    throw std::runtime_error("secret details of the store");
  };
  LoopbackServer server{throwing, events};
  loopback::Client client{server.port()};

  client.Get();
  const auto response = client.Read();

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(response->body, "internal server error\n");
  client.Get();  // and the connection, and the server, go on serving
  EXPECT_TRUE(client.Read());
}

// stop() returns once listen() has: whatever listen() touches is still there when it ends.
TEST(CancellingServer, MayBeDestroyedRightAfterStop) {
  RecordedEvents events;
  AnswerAtOnce handler;
  auto server = std::make_unique<CancellingServer>();
  server->Get("/.*", handler.Handler());
  const int port = server->bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::jthread listening([&http = *server] { http.listen_after_bind(); });
  loopback::Client client{port};
  client.Get();
  ASSERT_TRUE(client.Read()) << "the server never served";

  server->stop();
  EXPECT_FALSE(server->is_running()) << "stop() returned before listen() did";
  server.reset();  // under AddressSanitizer, a listen() still running is a use after free
}

// A streamed response's headers leave at once, not with the body's first piece: a client sees
// the status of a long report before the report is done.
TEST(CancellingServer, SendsAStreamedResponsesHeadersBeforeItsFirstPiece) {
  RecordedEvents events;
  std::binary_semaphore headers_seen{0};
  CancellableHandler streaming = [&](const httplib::Request&, httplib::Response& response, std::stop_token) {
    response.set_chunked_content_provider("text/plain", [&](size_t, httplib::DataSink& sink) {
      // Waits for the client to have the headers: held back, they never come, and the test fails.
      const bool seen = headers_seen.try_acquire_for(kPatience);
      sink.write(seen ? "piece" : "late!", 5);
      sink.done();
      return true;
    });
  };
  LoopbackServer server{streaming, events};
  loopback::Client client{server.port()};

  client.Get();
  const auto headers = client.Read(kPatience / 2);  // a chunked response: Read() stops at its headers
  headers_seen.release();

  ASSERT_TRUE(headers) << "the headers waited for the body";
  EXPECT_EQ(headers->status, 200);
}

}  // namespace
}  // namespace http_cancel
