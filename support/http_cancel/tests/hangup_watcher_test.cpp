#include "hangup_watcher.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

#include "test_connection.h"

namespace http_cancel {
namespace {

using namespace std::chrono_literals;

// A request under watch: its stop source, the reason the watcher gives, and the watch, which
// ends with it. Declare it after its Connection, so that the watch ends first.
struct WatchedRequest {
  WatchedRequest(HangupWatcher& by, const Connection& connection,
                 std::optional<HangupWatcher::Clock::time_point> deadline = std::nullopt)
      : watcher(by) {
    by.Watch(id, connection.server.get(), source, deadline, reason);
  }
  ~WatchedRequest() { watcher.Unwatch(id); }
  WatchedRequest(const WatchedRequest&) = delete;
  WatchedRequest& operator=(const WatchedRequest&) = delete;

  HangupWatcher& watcher;
  std::stop_source source;
  std::atomic<StopReason> reason{StopReason::kNone};
  const HangupWatcher::WatchId id = ++last_id;
  static inline std::atomic<HangupWatcher::WatchId> last_id = 0;
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
  watcher.Start();
  Connection connection;
  WatchedRequest request{watcher, connection};

  connection.client.Reset();

  EXPECT_TRUE(Stopped(request.source));
  EXPECT_EQ(request.reason, StopReason::kClientGone);
}

TEST(HangupWatcher, StopsTheRequestAtOnceWhenTheClientHasAlreadyGone) {
  HangupWatcher watcher;
  watcher.Start();
  Connection connection;
  connection.client.Reset();

  WatchedRequest request{watcher, connection};

  EXPECT_TRUE(request.source.stop_requested());  // before Watch() returned: no waiting
  EXPECT_EQ(request.reason, StopReason::kClientGone);
}

TEST(HangupWatcher, DataFromTheClientIsNoHangUp) {
  HangupWatcher watcher;
  watcher.Start();
  Connection quiet, sentinel;
  WatchedRequest request{watcher, quiet};
  WatchedRequest sentinel_request{watcher, sentinel};

  ASSERT_EQ(::send(quiet.client.get(), "GET / HTTP/1.1\r\n\r\n", 18, 0), 18);  // the next request
  sentinel.client.Reset();
  // The watcher sees events in the order they come: by the time the sentinel's hang-up
  // is seen, the data sent before it has been seen too.
  ASSERT_TRUE(Stopped(sentinel_request.source));

  EXPECT_FALSE(request.source.stop_requested());
  EXPECT_EQ(request.reason, StopReason::kNone);
}

TEST(HangupWatcher, ForgetsAnUnwatchedRequest) {
  HangupWatcher watcher;
  watcher.Start();
  Connection unwatched, sentinel;
  std::stop_source forgotten;
  {
    WatchedRequest request{watcher, unwatched};
    forgotten = request.source;
  }  // watched, then not
  WatchedRequest sentinel_request{watcher, sentinel};

  unwatched.client.Reset();
  sentinel.client.Reset();
  ASSERT_TRUE(Stopped(sentinel_request.source));

  EXPECT_FALSE(forgotten.stop_requested());
}

TEST(HangupWatcher, StopsTheRequestWhenItsDeadlinePasses) {
  HangupWatcher watcher;
  watcher.Start();
  Connection connection;
  WatchedRequest request{watcher, connection, HangupWatcher::Clock::now() + 20ms};

  EXPECT_TRUE(Stopped(request.source));
  EXPECT_EQ(request.reason, StopReason::kDeadlineExceeded);
}

TEST(HangupWatcher, StopAllStopsEveryRequestAndEveryNewOneUntilResumed) {
  HangupWatcher watcher;
  watcher.Start();
  Connection first, second, third;
  WatchedRequest a{watcher, first};

  watcher.StopAll(StopReason::kServerStopping);
  WatchedRequest b{watcher, second};
  watcher.Resume();
  WatchedRequest c{watcher, third};

  EXPECT_TRUE(a.source.stop_requested());
  EXPECT_EQ(a.reason, StopReason::kServerStopping);
  EXPECT_TRUE(b.source.stop_requested());
  EXPECT_FALSE(c.source.stop_requested());
}

TEST(HangupWatcher, TheFirstReasonIsTheOneThatCounts) {
  HangupWatcher watcher;
  watcher.Start();
  Connection connection;
  connection.client.Reset();
  WatchedRequest request{watcher, connection};

  watcher.StopAll(StopReason::kServerStopping);

  EXPECT_EQ(request.reason, StopReason::kClientGone);
}

}  // namespace
}  // namespace http_cancel
