#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <thread>
#include <utility>

#include "http_cancel/stop_reason.h"
#include "http_cancel/unique_fd.h"

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
//
// The thread runs from Start() to Halt() (or the destructor): whoever starts it chooses which
// thread creates it, and so its signal mask. Without it, hang-ups and deadlines are not pushed:
// only Watch() and StopAll() stop sources.
class HangupWatcher {
 public:
  using Clock = std::chrono::steady_clock;
  using WatchId = std::uint64_t;

  // `on_stop`, if given, is told which request was stopped, why and when: right after its
  // source is stopped (so that telling costs the cancellation nothing), with the time from
  // just before.
  using OnStop = std::function<void(WatchId id, StopReason reason, Clock::time_point when)>;
  explicit HangupWatcher(OnStop on_stop = {});  // throws std::system_error without epoll
  ~HangupWatcher();                             // halts

  // Starts the thread that pushes hang-ups and deadlines, unless it runs; Halt() joins it.
  void Start();
  void Halt();
  HangupWatcher(const HangupWatcher&) = delete;
  HangupWatcher& operator=(const HangupWatcher&) = delete;

  // Starts watching `socket` for the request `id` (not 0, and not watched already), which
  // `source` cancels. Before stopping `source` the watcher stores why in `reason`, which must
  // stay alive until Unwatch() returns. When the client has already gone, or StopAll() is in
  // force, `source` is stopped before this returns.
  void Watch(WatchId id, int socket, std::stop_source source, std::optional<Clock::time_point> deadline,
             std::atomic<StopReason>& reason);

  // Stops watching the request: from now on nothing stops its source. A stop that began
  // before is finished first, on_stop told included: nothing is told about it afterwards.
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
    bool stopping = false;  // its source is being stopped, outside the lock; Unwatch() waits
  };

  void Run(std::stop_token stop);
  void WakeUp() const;
  // Marks the request stopped with `reason`; returns the source to stop outside the lock,
  // then to give to Stop().
  std::optional<std::stop_source> MarkStopped(WatchId id, StopReason reason);
  void Stop(WatchId id, std::stop_source& source, StopReason reason);

  OnStop on_stop_;
  UniqueFd epoll_;
  UniqueFd wake_;  // an eventfd: a new, earlier deadline or the end of the thread

  // The requests watched, in shards by id: every request takes a lock twice (Watch, Unwatch),
  // and with thousands of threads one lock would queue them all behind whichever was switched
  // out while holding it.
  struct alignas(64) Shard {
    std::mutex mutex;
    std::condition_variable stopped;  // a `stopping` became false
    std::map<WatchId, Watched> watched;
  };
  static constexpr std::size_t kShards = 64;
  Shard& ShardOf(WatchId id) { return shards_[id % kShards]; }
  std::array<Shard, kShards> shards_;
  std::mutex deadlines_mutex_;
  std::set<std::pair<Clock::time_point, WatchId>> deadlines_;
  std::atomic<StopReason> stop_all_ = StopReason::kNone;  // also read under a shard's lock

  std::mutex thread_mutex_;  // Start() and Halt()
  std::jthread thread_;      // last: it starts after, and is joined before, everything above
};

}  // namespace http_cancel
