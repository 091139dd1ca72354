#include "http_cancel/hangup_watcher.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "http_cancel/unique_fd.h"

namespace http_cancel {
namespace {

using namespace std::chrono_literals;

// Two connected sockets: the server's end, watched, and the client's, which hangs up.
struct Connection {
  Connection() {
    int ends[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) throw std::runtime_error("socketpair");
    server = UniqueFd(ends[0]);
    client = UniqueFd(ends[1]);
  }
  UniqueFd server;
  UniqueFd client;
};

// Waits, at most 5 s so that a bug fails instead of hanging, until `source` is stopped.
bool Stopped(const std::stop_source& source) {
  std::mutex mutex;
  std::condition_variable_any changed;
  std::unique_lock lock(mutex);
  return changed.wait_for(lock, source.get_token(), 5s, [] { return false; }), source.stop_requested();
}

TEST(HangupWatcher, StopsTheRequestWhenTheClientHangsUp) {
  HangupWatcher watcher;
  Connection connection;
  std::stop_source request;
  std::atomic<StopReason> reason{StopReason::kNone};
  const auto id = watcher.Watch(connection.server.get(), request, std::nullopt, reason);

  connection.client.Reset();

  EXPECT_TRUE(Stopped(request));
  EXPECT_EQ(reason, StopReason::kClientGone);
  watcher.Unwatch(id);
}

TEST(HangupWatcher, StopsTheRequestAtOnceWhenTheClientHasAlreadyGone) {
  HangupWatcher watcher;
  Connection connection;
  connection.client.Reset();
  std::stop_source request;
  std::atomic<StopReason> reason{StopReason::kNone};

  const auto id = watcher.Watch(connection.server.get(), request, std::nullopt, reason);

  EXPECT_TRUE(request.stop_requested());  // before Watch() returned: no waiting
  EXPECT_EQ(reason, StopReason::kClientGone);
  watcher.Unwatch(id);
}

TEST(HangupWatcher, DataFromTheClientIsNoHangUp) {
  HangupWatcher watcher;
  Connection quiet, sentinel;
  std::stop_source request, sentinel_request;
  std::atomic<StopReason> reason{StopReason::kNone}, sentinel_reason{StopReason::kNone};
  const auto id = watcher.Watch(quiet.server.get(), request, std::nullopt, reason);
  const auto sentinel_id = watcher.Watch(sentinel.server.get(), sentinel_request, std::nullopt, sentinel_reason);

  ASSERT_EQ(::send(quiet.client.get(), "GET / HTTP/1.1\r\n\r\n", 18, 0), 18);  // the next request
  sentinel.client.Reset();
  // The watcher sees events in the order they come: by the time the sentinel's hang-up
  // is seen, the data sent before it has been seen too.
  ASSERT_TRUE(Stopped(sentinel_request));

  EXPECT_FALSE(request.stop_requested());
  EXPECT_EQ(reason, StopReason::kNone);
  watcher.Unwatch(id);
  watcher.Unwatch(sentinel_id);
}

TEST(HangupWatcher, ForgetsAnUnwatchedRequest) {
  HangupWatcher watcher;
  Connection unwatched, sentinel;
  std::stop_source request, sentinel_request;
  std::atomic<StopReason> reason{StopReason::kNone}, sentinel_reason{StopReason::kNone};
  watcher.Unwatch(watcher.Watch(unwatched.server.get(), request, std::nullopt, reason));
  const auto sentinel_id = watcher.Watch(sentinel.server.get(), sentinel_request, std::nullopt, sentinel_reason);

  unwatched.client.Reset();
  sentinel.client.Reset();
  ASSERT_TRUE(Stopped(sentinel_request));

  EXPECT_FALSE(request.stop_requested());
  watcher.Unwatch(sentinel_id);
}

TEST(HangupWatcher, StopsTheRequestWhenItsDeadlinePasses) {
  HangupWatcher watcher;
  Connection connection;
  std::stop_source request;
  std::atomic<StopReason> reason{StopReason::kNone};
  const auto id = watcher.Watch(connection.server.get(), request, HangupWatcher::Clock::now() + 20ms, reason);

  EXPECT_TRUE(Stopped(request));
  EXPECT_EQ(reason, StopReason::kDeadlineExceeded);
  watcher.Unwatch(id);
}

TEST(HangupWatcher, StopAllStopsEveryRequestAndEveryNewOneUntilResumed) {
  HangupWatcher watcher;
  Connection first, second, third;
  std::stop_source a, b, c;
  std::atomic<StopReason> reason_a{StopReason::kNone}, reason_b{StopReason::kNone}, reason_c{StopReason::kNone};
  const auto id_a = watcher.Watch(first.server.get(), a, std::nullopt, reason_a);

  watcher.StopAll(StopReason::kServerStopping);
  const auto id_b = watcher.Watch(second.server.get(), b, std::nullopt, reason_b);
  watcher.Resume();
  const auto id_c = watcher.Watch(third.server.get(), c, std::nullopt, reason_c);

  EXPECT_TRUE(a.stop_requested());
  EXPECT_EQ(reason_a, StopReason::kServerStopping);
  EXPECT_TRUE(b.stop_requested());
  EXPECT_FALSE(c.stop_requested());
  for (auto id : {id_a, id_b, id_c}) watcher.Unwatch(id);
}

TEST(HangupWatcher, TheFirstReasonIsTheOneThatCounts) {
  HangupWatcher watcher;
  Connection connection;
  connection.client.Reset();
  std::stop_source request;
  std::atomic<StopReason> reason{StopReason::kNone};
  const auto id = watcher.Watch(connection.server.get(), request, std::nullopt, reason);

  watcher.StopAll(StopReason::kServerStopping);

  EXPECT_EQ(reason, StopReason::kClientGone);
  watcher.Unwatch(id);
}

}  // namespace
}  // namespace http_cancel
