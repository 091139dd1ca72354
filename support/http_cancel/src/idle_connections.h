#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "client_connection.h"
#include "http_cancel/unique_fd.h"

namespace http_cancel {

// Connections that wait for their next request without a thread of their own (Go's netpoller,
// in small): a thread that has answered a request parks its connection here and looks for
// other work, so that thousands of open connections need threads only for the requests in flight.
//
// One edge-triggered epoll set, each connection registered once, at its first park: parking
// again costs no system call. An edge that comes while the connection is being served marks
// it, and its next Park() hands it back to be looked at again.
//
// Threads look for ready connections themselves: TakeReady() never waits, and at most one
// thread at a time waits in WaitAsPoller(). A monitor thread, started at the first park and gone
// after two seconds with nothing parked, covers the moments when nobody looks: every
// millisecond while connections are parked, it hands the connections whose requests came to the
// pool when no thread polls, tells the poller to leave when the pool has work no thread can
// take, and closes connections that stayed quiet for the keep-alive timeout.
class IdleConnections {
 public:
  using Connection = std::unique_ptr<ClientConnection>;
  struct Hooks {
    std::function<void(Connection)> hand_over;  // to a thread of the pool, to be served
    std::function<bool()> pool_starved;         // work waits that no thread can take
    std::function<void(Connection)> close;
    std::chrono::milliseconds keep_alive{5000};
  };

  IdleConnections();  // throws std::system_error without epoll or eventfd
  ~IdleConnections();
  IdleConnections(const IdleConnections&) = delete;
  IdleConnections& operator=(const IdleConnections&) = delete;

  // From Start() to Stop(), connections may park; Stop() closes the parked ones, joins the
  // monitor, and refuses every park after it.
  void Start(Hooks hooks);
  void Stop();

  enum class Parking { kParked, kRequestCame, kRefused };
  // kParked: the set owns `connection` now. kRequestCame: bytes came while it was served; look
  // again before parking it. kRefused: stopping, or the kernel refused: wait for it on this thread.
  Parking Park(Connection& connection);

  // A connection whose client has sent something since it parked, or none; never waits.
  Connection TakeReady();
  // Waits for requests, if no other thread does; returns the connections they came on. Empty
  // when another thread polls, when nothing is parked, when the pool needs this thread, or when
  // stopping.
  std::vector<Connection> WaitAsPoller();

  // The connection is closing: its id is forgotten (its socket leaves the epoll set on close).
  void Forget(std::uint64_t id);

  std::size_t parked() const { return parked_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    Connection parked;  // null while a thread serves it
    bool request_came = false;
    std::chrono::steady_clock::time_point since;
  };
  struct alignas(64) Shard {
    std::mutex mutex;
    std::unordered_map<std::uint64_t, Entry> entries;
  };
  static constexpr std::size_t kShards = 64;
  static constexpr std::uint64_t kLeaveId = 0;  // the `leave_` eventfd's id in the epoll set
  Shard& ShardOf(std::uint64_t id) { return shards_[id % kShards]; }

  Connection Claim(std::uint64_t id);  // the parked connection, or a mark that bytes came
  void EnsureMonitor();
  void Monitor(std::stop_token stop);
  void CloseQuiet(std::chrono::steady_clock::time_point now);
  bool Stopping() const { return stopping_.load(std::memory_order_acquire); }

  UniqueFd epoll_;
  UniqueFd leave_;  // an eventfd: the poller leaves (the pool needs it, or stopping)
  Hooks hooks_;
  std::array<Shard, kShards> shards_;
  std::atomic<std::size_t> parked_{0};
  std::atomic<bool> polling_{false};
  std::atomic<bool> stopping_{true};  // until Start()

  std::mutex monitor_mutex_;
  std::atomic<bool> monitor_running_{false};
  std::jthread monitor_;
};

}  // namespace http_cancel
