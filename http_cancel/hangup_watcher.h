#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <thread>
#include <utility>

#include "stop_reason.h"
#include "unique_fd.h"

namespace http_cancel {

// Watches the sockets of requests in flight and stops a request's std::stop_source when
// its client hangs up, when its deadline passes, or when StopAll() is called.
//
// One thread waits in epoll for EPOLLRDHUP/EPOLLHUP/EPOLLERR, so a hang-up is pushed by the
// kernel, not polled by the handler. Nothing else is asked of the socket: a client that
// sends its next (keep-alive or pipelined) request has not hung up.
//
// Stop callbacks registered on a watched token run on the watcher's thread: keep them short
// (a notify), or every other request's cancellation waits for them.
class HangupWatcher {
 public:
  using Clock = std::chrono::steady_clock;
  using WatchId = std::uint64_t;

  // `on_stop`, if given, is told why each request was stopped and when: right after its
  // source is stopped (so that telling costs the cancellation nothing), with the time from
  // just before.
  using OnStop = std::function<void(StopReason reason, Clock::time_point when)>;
  explicit HangupWatcher(OnStop on_stop = {});  // throws std::system_error without epoll
  ~HangupWatcher();
  HangupWatcher(const HangupWatcher&) = delete;
  HangupWatcher& operator=(const HangupWatcher&) = delete;

  // Starts watching `socket` for the request that `source` cancels. Before stopping `source`
  // the watcher stores why in `reason`, which must stay alive until Unwatch() returns.
  // When the client has already gone, or StopAll() is in force, `source` is stopped before
  // this returns.
  WatchId Watch(int socket, std::stop_source source, std::optional<Clock::time_point> deadline,
                std::atomic<StopReason>& reason);

  // Stops watching the request: from now on nothing stops its source.
  void Unwatch(WatchId id);

  // Stops every watched request, and every request watched from now on, with `reason`,
  // until Resume().
  void StopAll(StopReason reason);
  void Resume();

 private:
  struct Watched {
    std::stop_source source;
    std::optional<Clock::time_point> deadline;
    std::atomic<StopReason>* reason;
  };

  void Run(std::stop_token stop);
  void WakeUp() const;
  void Stop(std::stop_source& source, StopReason reason) const;
  // Marks the request stopped with `reason`; returns the source to stop outside the lock.
  std::optional<std::stop_source> MarkStopped(WatchId id, StopReason reason);

  OnStop on_stop_;
  UniqueFd epoll_;
  UniqueFd wake_;  // an eventfd: a new, earlier deadline or the end of the thread

  mutable std::mutex mutex_;
  std::map<WatchId, Watched> watched_;
  std::set<std::pair<Clock::time_point, WatchId>> deadlines_;
  WatchId next_id_ = 1;  // 0 is the wake-up eventfd's
  StopReason stop_all_ = StopReason::kNone;

  std::jthread thread_;  // last: it starts after, and is joined before, everything above
};

}  // namespace http_cancel
