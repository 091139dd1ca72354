#include "http_cancel/cancelling_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <latch>
#include <memory>
#include <mutex>
#include <semaphore>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "http_cancel/test/loopback_client.h"
#include "http_cancel/test/loopback_server.h"
#include "http_cancel/test/recorded_events.h"
#include "http_cancel/test/stack_size.h"

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
  test::RecordedEvents events;
  WorkUntilCancelled handler;
  test::LoopbackServer server{handler.Handler(), events.Listener()};

  test::Client client{server.port()};
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
    if (::getsockopt(client_socket, IPPROTO_TCP, TCP_INFO, &info, &length) == 0 && info.tcpi_state == TCP_FIN_WAIT2) {
      return true;
    }
    std::this_thread::yield();
  }
  return false;
}

TEST(CancellingServer, CancelsTheRequestBeforeTheHandlerStartsWhenTheClientLeftFirst) {
  test::RecordedEvents events;
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
  test::LoopbackServer server{handler, events.Listener(), [](CancellingServer& http) { http.set_thread_limits(1, 1); }};

  test::Client first{server.port()};
  first.Get();
  ASSERT_TRUE(first_started.try_acquire_for(kPatience));
  test::Client second{server.port()};
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
  test::RecordedEvents events;
  WorkUntilCancelled handler;
  test::LoopbackServer server{handler.Handler(), events.Listener()};
  test::Client client{server.port()};
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
  test::RecordedEvents events;
  WorkUntilCancelled handler;
  test::LoopbackServer server{handler.Handler(), events.Listener(),
                              [](CancellingServer& http) { http.set_request_timeout(20ms); }};

  test::Client client{server.port()};
  client.Get();
  const auto response = client.Read();

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->body, "deadline exceeded\n");
  EXPECT_TRUE(handler.was_cancelled());
  EXPECT_TRUE(events.WaitFor("deadline exceeded"));  // told after the stop: it may come late
}

TEST(CancellingServer, NeverCancelsARequestWhoseClientWaits) {
  test::RecordedEvents events;
  AnswerAtOnce handler;
  {
    test::LoopbackServer server{handler.Handler(), events.Listener()};
    test::Client client{server.port()};
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
  test::RecordedEvents events;
  AnswerAtOnce handler;
  test::LoopbackServer server{handler.Handler(), events.Listener()};
  test::Client client{server.port()};

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
  test::RecordedEvents events;
  AnswerAtOnce handler;
  test::LoopbackServer server{handler.Handler(), events.Listener()};
  test::Client client{server.port()};

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
  test::RecordedEvents events;
  AnswerAtOnce handler;
  test::LoopbackServer server{handler.Handler(), events.Listener(),
                              [&](CancellingServer& http) { http.Post("/.*", handler.Handler()); }};
  test::Client client{server.port()};

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
  test::RecordedEvents events;
  httplib::Server::Handler plain = [](const httplib::Request&, httplib::Response& response) {
    response.set_content("plain", "text/plain");
  };
  test::LoopbackServer server{plain, events.Listener()};
  test::Client client{server.port()};

  client.Get();
  const auto response = client.Read();

  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "plain");
}

// The author of the handlers knows how much stack they need; thousands of threads start faster
// with less than the system's 8 MiB.
TEST(CancellingServer, RunsHandlersOnStacksOfTheSizeAsked) {
  constexpr std::size_t kAsked = 256 * 1024;
  test::RecordedEvents events;
  std::atomic<std::size_t> stack_size = 0;
  httplib::Server::Handler handler = [&](const httplib::Request&, httplib::Response& response) {
    stack_size = test::ThisThreadsStackSize();
    response.set_content("ok", "text/plain");
  };
  test::LoopbackServer server{handler, events.Listener(),
                              [](CancellingServer& http) { http.set_thread_stack_size(kAsked); }};
  test::Client client{server.port()};

  client.Get();
  ASSERT_TRUE(client.Read());
  const std::size_t system_default = test::DefaultStackSize();
  // ThreadSanitizer gives a thread more than 256 KiB (900 KiB here), for its own needs.
  EXPECT_GE(stack_size, kAsked) << "the handler ran on a stack smaller than asked";
  EXPECT_LT(stack_size, system_default) << "the handler ran on a stack of " << stack_size
                                        << " bytes: the system's default, not the " << kAsked << " asked";
}

TEST(CancellingServer, RefusesAStackTooSmallForAnyThread) {
  CancellingServer http;
  try {
    http.set_thread_stack_size(1024);
    ADD_FAILURE() << "a stack of 1 KiB was taken";
  } catch (const std::invalid_argument& refused) {
    EXPECT_THAT(refused.what(), testing::HasSubstr("1024 bytes is less than PTHREAD_STACK_MIN"));
  }
  EXPECT_NO_THROW(http.set_thread_stack_size(0)) << "0, the system's default, was refused";
}

TEST(CancellingServer, RefusesAStackNoThreadCanHave) {
  // 1 PiB: more than the address space of a process, on every 64-bit system we build for.
  constexpr std::size_t kPebibyte = std::size_t{1} << 50;
  CancellingServer http;
  try {
    http.set_thread_stack_size(kPebibyte);
    ADD_FAILURE() << "a stack of 1 PiB was taken: listen() would start a pool without threads";
  } catch (const std::invalid_argument& refused) {
    EXPECT_THAT(refused.what(), testing::HasSubstr("cannot start a thread with that stack"));
  }
}

TEST(CancellingServer, AnswersAHandlerThatThrowsWithAShort500) {
  test::RecordedEvents events;
  CancellableHandler throwing = [](const httplib::Request&, httplib::Response&, std::stop_token) {
    throw std::runtime_error("secret details of the store");
  };
  test::LoopbackServer server{throwing, events.Listener()};
  test::Client client{server.port()};

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
  test::RecordedEvents events;
  AnswerAtOnce handler;
  auto server = std::make_unique<CancellingServer>();
  server->Get("/.*", handler.Handler());
  const int port = server->bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::jthread listening([&http = *server] { http.listen_after_bind(); });
  test::Client client{port};
  client.Get();
  ASSERT_TRUE(client.Read()) << "the server never served";

  server->stop();
  EXPECT_FALSE(server->is_running()) << "stop() returned before listen() did";
  server.reset();  // under AddressSanitizer, a listen() still running is a use after free
}

// A streamed response's headers leave at once, not with the body's first piece: a client sees
// the status of a long report before the report is done.
TEST(CancellingServer, SendsAStreamedResponsesHeadersBeforeItsFirstPiece) {
  test::RecordedEvents events;
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
  test::LoopbackServer server{streaming, events.Listener()};
  test::Client client{server.port()};

  client.Get();
  const auto headers = client.Read(kPatience / 2);  // a chunked response: Read() stops at its headers
  headers_seen.release();

  ASSERT_TRUE(headers) << "the headers waited for the body";
  EXPECT_EQ(headers->status, 200);
}

// Every method's route takes a token, and a client that hangs up cancels it.
TEST(CancellingServer, CancelsTheRequestOfEveryMethodWhenTheClientHangsUp) {
  for (const std::string method : {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    SCOPED_TRACE(method);
    test::RecordedEvents events;
    WorkUntilCancelled handler;
    test::LoopbackServer server{handler.Handler(), events.Listener(), [&](CancellingServer& http) {
                                  http.Post("/items", handler.Handler())
                                      .Put("/items/:id", handler.Handler())
                                      .Patch("/items/:id", handler.Handler())
                                      .Delete("/items/:id", handler.Handler())
                                      .Options("/items", handler.Handler());
                                }};
    test::Client client{server.port()};
    const std::string target = method == "POST" || method == "OPTIONS" ? "/items" : "/items/7";
    client.Send(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
    ASSERT_TRUE(handler.WaitUntilStarted());
    client.HangUp();

    ASSERT_TRUE(events.WaitFor("response not written"));
    EXPECT_TRUE(handler.was_cancelled());
  }
}

// Settings and routes chain, whatever comes first: each returns the CancellingServer.
TEST(CancellingServer, ChainsRoutesAndSettings) {
  CancellingServer http;
  CancellingServer& chained = http.set_request_timeout(1s)
                                  .Get("/", [](const httplib::Request&, httplib::Response&) {})
                                  .set_read_timeout(2s)
                                  .Delete("/", [](const httplib::Request&, httplib::Response&, std::stop_token) {})
                                  .set_shutdown_grace_period(3s);
  EXPECT_EQ(&chained, &http);
}

// Go's context.Cause(ctx): the handler can ask why it was stopped.
TEST(CancellingServer, TellsTheHandlerWhyItsRequestWasStopped) {
  struct Case {
    const char* why;
    StopReason expected;
  };
  for (const auto& [why, expected] :
       {Case{"client gone", StopReason::kClientGone}, Case{"deadline exceeded", StopReason::kDeadlineExceeded},
        Case{"server stopping", StopReason::kServerStopping}}) {
    SCOPED_TRACE(why);
    test::RecordedEvents events;
    std::binary_semaphore started{0};
    std::atomic<StopReason> seen = StopReason::kNone;
    CancellationHandler handler = [&](const httplib::Request&, httplib::Response&, const Cancellation& cancellation) {
      started.release();
      std::mutex mutex;
      std::condition_variable_any never_notified;
      std::unique_lock lock(mutex);
      never_notified.wait_for(lock, cancellation.token(), kPatience, [] { return false; });
      seen = cancellation.reason();
    };
    const bool deadline = expected == StopReason::kDeadlineExceeded;
    test::LoopbackServer server{handler, events.Listener(), [&](CancellingServer& http) {
                                  if (deadline) http.set_request_timeout(20ms);
                                }};
    test::Client client{server.port()};
    client.Get();
    ASSERT_TRUE(started.try_acquire_for(kPatience));
    if (expected == StopReason::kClientGone) client.HangUp();
    if (expected == StopReason::kServerStopping) server.http().stop();

    ASSERT_TRUE(events.WaitFor("response"));
    EXPECT_EQ(seen, expected);
  }
}

// A request's events end with its response: a client that hangs up after reading its answer
// has not cancelled anything, whatever answered it (a handler, or none: 404).
TEST(CancellingServer, ReportsNothingForARequestAfterItsResponse) {
  test::RecordedEvents events;
  std::binary_semaphore hung_up{0};
  std::atomic<bool> cancelled = false;
  // The whole body, then a wait while the request is still being served: there, the client's
  // hang-up has time to be seen. A watch still running would tell it within the 100 ms.
  const auto answer_then_linger = [&](httplib::Response& response) {
    response.set_content_provider(4, "text/plain", [&](size_t, size_t, httplib::DataSink& sink) {
      sink.write("done", 4);
      EXPECT_TRUE(hung_up.try_acquire_for(kPatience));
      EXPECT_FALSE(events.WaitFor("client gone", 100ms));
      return true;
    });
  };
  CancellableHandler handler = [&](const httplib::Request&, httplib::Response& response, std::stop_token token) {
    answer_then_linger(response);
    cancelled = token.stop_requested();
  };
  test::LoopbackServer server{handler, events.Listener(), [&](CancellingServer& http) {
                                http.Delete("/items/:id", handler);
                                http.set_error_handler([&](const httplib::Request&, httplib::Response& response) {
                                  answer_then_linger(response);
                                });
                              }};
  for (const char* request :
       {"DELETE /items/7 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "PATCH /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"}) {
    test::Client client{server.port()};
    client.Send(request);
    const auto response = client.Read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, "done");
    client.HangUp();
    hung_up.release();
  }
  server.http().stop();

  for (std::uint64_t id : {1, 2}) {
    EXPECT_EQ(events.Of(id).back(), "response written")
        << "request " << id << ": " << testing::PrintToString(events.Of(id));
  }
  EXPECT_FALSE(cancelled);
}

TEST(CancellingServer, GivesEachEventItsRequestsId) {
  test::RecordedEvents events;
  AnswerAtOnce handler;
  test::LoopbackServer server{handler.Handler(), events.Listener()};
  test::Client client{server.port()};
  client.Get("/first");
  ASSERT_TRUE(client.Read());
  client.Get("/second");
  ASSERT_TRUE(client.Read());
  ASSERT_TRUE(events.WaitFor("response written"));
  server.http().stop();

  EXPECT_EQ(events.Of(1), (std::vector<std::string>{"request received GET /first", "response written"}));
  EXPECT_EQ(events.Of(2), (std::vector<std::string>{"request received GET /second", "response written"}));
}

// Events are reports: a listener that throws changes nothing for the requests, or the process.
TEST(CancellingServer, KeepsServingWhenTheEventListenerThrows) {
  AnswerAtOnce handler;
  std::atomic<int> told = 0;
  test::LoopbackServer server{handler.Handler(), [&](const Event&) {
                                ++told;
                                throw std::runtime_error("a broken logger");
                              }};
  test::Client client{server.port()};

  for (const auto* path : {"/1", "/2"}) {
    client.Get(path);
    const auto response = client.Read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, std::string("you asked for ") + path);
  }
  EXPECT_GE(told, 2);
}

// Go's Server.Shutdown before ListenAndServe: ErrServerClosed at once.
TEST(CancellingServer, KeepsAStopThatComesBeforeListen) {
  CancellingServer http;
  http.Get("/", [](const httplib::Request&, httplib::Response&) {});
  ASSERT_TRUE(http.stop());

  EXPECT_FALSE(http.listen("127.0.0.1", 0)) << "listen() served after stop()";
  http.wait_until_ready();  // returns: the server will never be ready
  EXPECT_FALSE(http.is_running());
}

std::size_t ThreadsOfThisProcess() {
  const std::filesystem::directory_iterator tasks("/proc/self/task");
  return static_cast<std::size_t>(std::distance(begin(tasks), end(tasks)));
}

// A service may block signals after it constructs its server (as with httplib::Server): no
// thread may have taken the old signal mask by then.
TEST(CancellingServer, StartsItsThreadsInListenNotInItsConstructor) {
  std::thread([] {}).join();  // a sanitizer starts a thread of its own with the first one
  const auto before = ThreadsOfThisProcess();
  auto http = std::make_unique<CancellingServer>();
  EXPECT_EQ(ThreadsOfThisProcess(), before) << "the constructor started threads";

  http->set_thread_limits(2, 4);
  const int port = http->bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::jthread listening([&] { http->listen_after_bind(); });
  http->wait_until_ready();
  EXPECT_GE(ThreadsOfThisProcess(), before + 1 + 1 + 2);  // listening, the watcher, the pool's two
  ASSERT_TRUE(http->stop());
  listening.join();
  EXPECT_EQ(ThreadsOfThisProcess(), before) << "threads outlived listen()";
}

// After the grace period, stop() gives up on a handler that ignores its token, and says which.
TEST(CancellingServer, ReportsTheHandlersThatIgnoreTheStopAfterTheGracePeriod) {
  test::RecordedEvents events;
  std::binary_semaphore started{0};
  std::latch let_go{1};
  PlainHandler stubborn = [&](const httplib::Request&, httplib::Response& response) {
    started.release();
    let_go.wait();  // ignores every cancellation
    response.set_content("late", "text/plain");
  };
  auto http = std::make_unique<CancellingServer>();
  http->Get("/stubborn", stubborn).set_event_listener(events.Listener()).set_shutdown_grace_period(50ms);
  const int port = http->bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::jthread listening([&] { http->listen_after_bind(); });
  test::Client client{port};
  client.Get("/stubborn");
  ASSERT_TRUE(started.try_acquire_for(kPatience));

  EXPECT_FALSE(http->stop()) << "stop() said every handler had returned";
  EXPECT_TRUE(events.Contains("stop ignored GET /stubborn"));
  let_go.count_down();
  http.reset();  // waits for the handler, then for listen()
}

// The destructor stops the server, and waits for listen() to return in its own thread.
TEST(CancellingServer, MayBeDestroyedWhileAnotherThreadListens) {
  test::RecordedEvents events;
  WorkUntilCancelled handler;
  auto http = std::make_unique<CancellingServer>();
  http->Get("/", handler.Handler()).set_event_listener(events.Listener());
  const int port = http->bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::atomic<bool> listened = true;
  std::jthread listening([&listened, &server = *http] { listened = server.listen_after_bind(); });
  test::Client client{port};
  client.Get();
  ASSERT_TRUE(handler.WaitUntilStarted());

  http.reset();  // under AddressSanitizer, a listen() still running is a use after free

  EXPECT_TRUE(handler.finished());
  EXPECT_TRUE(handler.was_cancelled());
  listening.join();
}

// The backlog of every socket this process listens on, as the kernel keeps it.
std::vector<unsigned> BacklogsOfListeningSockets() {
  std::vector<int> sockets;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    sockets.push_back(std::stoi(entry.path().filename().string()));
  }
  std::vector<unsigned> backlogs;
  for (const int fd : sockets) {
    int listening = 0;
    socklen_t size = sizeof listening;
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0 || listening == 0) continue;
    tcp_info info{};
    size = sizeof info;
    if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &size) != 0) continue;
    backlogs.push_back(info.tcpi_sacked);  // for a listening socket, Linux puts its backlog here
  }
  return backlogs;
}

unsigned LargestBacklogAllowed() {
  unsigned somaxconn = 0;
  std::ifstream("/proc/sys/net/core/somaxconn") >> somaxconn;
  return somaxconn;
}

// Thousands of clients may connect at once: a backlog of cpp-httplib's 128 would drop most
// of them, and each would wait a second or more to try again.
TEST(CancellingServer, ListensWithTheLargestBacklogTheSystemAllows) {
  ASSERT_GT(LargestBacklogAllowed(), 0u) << "cannot read /proc/sys/net/core/somaxconn";
  {
    CancellingServer http;
    ASSERT_GT(http.bind_to_any_port("127.0.0.1"), 0);
    EXPECT_EQ(BacklogsOfListeningSockets(), std::vector{LargestBacklogAllowed()}) << "after bind_to_any_port()";
  }
  CancellingServer http;
  std::jthread listening([&] { http.listen("127.0.0.1", 0); });
  http.wait_until_ready();
  EXPECT_EQ(BacklogsOfListeningSockets(), std::vector{LargestBacklogAllowed()}) << "after listen()";
  http.stop();
}

// Beyond set_thread_per_connection_up_to() open connections, a connection waiting for its
// next request holds no thread: two threads serve twenty keep-alive clients.
TEST(CancellingServer, ServesMoreOpenConnectionsThanItHasThreads) {
  test::RecordedEvents events;
  AnswerAtOnce handler;
  test::LoopbackServer server{
      handler.Handler(), events.Listener(), [](CancellingServer& http) {
        http.set_thread_limits(2, 2).set_thread_per_connection_up_to(0).set_keep_alive_timeout(60s);
      }};
  constexpr int kClients = 20;
  std::vector<std::unique_ptr<test::Client>> clients;
  for (int i = 0; i < kClients; ++i) {  // one at a time: each waits after its answer
    clients.push_back(std::make_unique<test::Client>(server.port()));
    clients.back()->Get("/first");
    const auto response = clients.back()->Read();
    ASSERT_TRUE(response) << "connection " << i + 1 << " of " << kClients
                          << ", /first request: each connection kept a thread while it waited for its next request";
    EXPECT_EQ(response->body, "you asked for /first");
  }
  for (auto& client : clients) client->Get("/second");  // all at once
  for (int i = 0; i < kClients; ++i) {
    const auto response = clients[static_cast<std::size_t>(i)]->Read();
    ASSERT_TRUE(response) << "connection " << i + 1 << " of " << kClients << ", /second request";
    EXPECT_EQ(response->body, "you asked for /second");
  }
  EXPECT_FALSE(handler.any_cancelled());
}

TEST(CancellingServer, ClosesAConnectionThatWaitsWithoutAThreadWhenItStaysQuiet) {
  test::RecordedEvents events;
  AnswerAtOnce handler;
  test::LoopbackServer server{handler.Handler(), events.Listener(), [](CancellingServer& http) {
                                http.set_thread_per_connection_up_to(0).set_keep_alive_timeout(1s);
                              }};
  test::Client client{server.port()};
  const auto asked = std::chrono::steady_clock::now();  // before the server's keep-alive clock starts
  client.Get("/");
  ASSERT_TRUE(client.Read());
  EXPECT_TRUE(client.ClosedByServer()) << "the keep-alive timeout is 1 s";
  EXPECT_GE(std::chrono::steady_clock::now() - asked, 1s) << "closed before its keep-alive timeout";
}

TEST(CancellingServer, StoppingClosesTheConnectionsBetweenTwoRequests) {
  test::RecordedEvents events;
  AnswerAtOnce handler;
  test::LoopbackServer server{handler.Handler(), events.Listener(), [](CancellingServer& http) {
                                http.set_thread_per_connection_up_to(0).set_keep_alive_timeout(60s);
                              }};
  test::Client client{server.port()};
  client.Get("/");
  ASSERT_TRUE(client.Read());
  EXPECT_TRUE(server.http().stop());
  EXPECT_TRUE(client.ClosedByServer()) << "a connection between two requests outlived the server's stop()";
}

}  // namespace
}  // namespace http_cancel
