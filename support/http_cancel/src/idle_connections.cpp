#include "idle_connections.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

namespace http_cancel {
namespace {

using namespace std::chrono;

constexpr milliseconds kMonitorTick{1};
constexpr milliseconds kQuietSweep{100};
constexpr milliseconds kMonitorRetiresAfter{2000};
constexpr int kPollerRecheckMs = 100;  // the poller looks whether it is still needed

UniqueFd Checked(int fd, const char* what) {
  if (fd < 0) throw std::system_error(errno, std::generic_category(), what);
  return UniqueFd(fd);
}

}  // namespace

IdleConnections::IdleConnections()
    : epoll_(Checked(::epoll_create1(EPOLL_CLOEXEC), "epoll_create1")),
      leave_(Checked(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), "eventfd")) {
  epoll_event event{.events = EPOLLIN | EPOLLET, .data = {.u64 = kLeaveId}};
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, leave_.get(), &event) != 0) {
    throw std::system_error(errno, std::generic_category(), "epoll_ctl");
  }
}

IdleConnections::~IdleConnections() {
  Stop();
}

void IdleConnections::Start(Hooks hooks) {
  hooks_ = std::move(hooks);
  stopping_.store(false, std::memory_order_release);
}

void IdleConnections::Stop() {
  if (stopping_.exchange(true, std::memory_order_acq_rel)) return;
  const std::uint64_t one = 1;
  [[maybe_unused]] auto written = ::write(leave_.get(), &one, sizeof one);
  std::vector<Connection> parked;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);  // a Park() after this pass sees `stopping_`
    for (auto& [id, entry] : shard.entries) {
      if (entry.parked) {
        parked.push_back(std::move(entry.parked));
        parked_.fetch_sub(1, std::memory_order_relaxed);
      }
    }
  }
  for (auto& connection : parked) {
    connection->waited_without_a_thread = false;  // its entry goes with it below
    Forget(connection->id);
    hooks_.close(std::move(connection));
  }
  std::jthread monitor;
  {
    std::lock_guard lock(monitor_mutex_);  // no monitor starts after this: `stopping_` is set
    monitor = std::move(monitor_);
  }
  monitor = {};  // stopped and joined: it takes `monitor_mutex_` to leave on its own
  monitor_running_.store(false);
}

IdleConnections::Parking IdleConnections::Park(Connection& connection) {
  const std::uint64_t id = connection->id;
  Shard& shard = ShardOf(id);
  if (!connection->waited_without_a_thread) {
    // Registered once, with an entry already there: an edge that comes before the connection
    // is parked marks the entry, and is not lost.
    {
      std::lock_guard lock(shard.mutex);
      if (Stopping()) return Parking::kRefused;
      shard.entries.try_emplace(id);
    }
    epoll_event event{.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data = {.u64 = id}};
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, connection->socket, &event) != 0) {
      Forget(id);
      return Parking::kRefused;
    }
    connection->waited_without_a_thread = true;
  }
  {
    std::lock_guard lock(shard.mutex);
    if (Stopping()) return Parking::kRefused;
    Entry& entry = shard.entries[id];
    if (std::exchange(entry.request_came, false)) return Parking::kRequestCame;
    entry.since = steady_clock::now();
    entry.parked = std::move(connection);
    parked_.fetch_add(1);  // sequentially consistent: see Monitor()
  }
  if (!monitor_running_.load()) EnsureMonitor();
  return Parking::kParked;
}

IdleConnections::Connection IdleConnections::Claim(std::uint64_t id) {
  Shard& shard = ShardOf(id);
  std::lock_guard lock(shard.mutex);
  const auto found = shard.entries.find(id);
  if (found == shard.entries.end()) return nullptr;  // closed since
  Entry& entry = found->second;
  if (!entry.parked) {
    entry.request_came = true;  // a thread serves it: its next Park() looks again
    return nullptr;
  }
  parked_.fetch_sub(1, std::memory_order_relaxed);
  return std::move(entry.parked);
}

void IdleConnections::Forget(std::uint64_t id) {
  Shard& shard = ShardOf(id);
  std::lock_guard lock(shard.mutex);
  shard.entries.erase(id);
}

IdleConnections::Connection IdleConnections::TakeReady() {
  for (;;) {
    epoll_event event{};
    const int ready = ::epoll_wait(epoll_.get(), &event, 1, 0);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0 || Stopping()) return nullptr;
    if (event.data.u64 == kLeaveId) continue;  // for the poller: it looks at what it has to do anyway
    if (auto connection = Claim(event.data.u64)) return connection;
  }
}

std::vector<IdleConnections::Connection> IdleConnections::WaitAsPoller() {
  std::vector<Connection> ready;
  if (polling_.exchange(true)) return ready;
  std::array<epoll_event, 64> events;
  bool leave = false;
  while (ready.empty() && !leave && !Stopping() && parked() > 0 && !hooks_.pool_starved()) {
    const int count = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), kPollerRecheckMs);
    for (int i = 0; i < count; ++i) {
      if (events[static_cast<std::size_t>(i)].data.u64 == kLeaveId) {
        std::uint64_t value = 0;
        [[maybe_unused]] auto read = ::read(leave_.get(), &value, sizeof value);
        leave = true;
      } else if (auto connection = Claim(events[static_cast<std::size_t>(i)].data.u64)) {
        ready.push_back(std::move(connection));
      }
    }
  }
  polling_.store(false);
  return ready;
}

void IdleConnections::EnsureMonitor() {
  std::lock_guard lock(monitor_mutex_);
  if (monitor_running_.load() || Stopping()) return;
  if (monitor_.joinable()) monitor_.join();  // it left: nothing was parked for a while
  monitor_running_.store(true);
  try {
    monitor_ = std::jthread([this](std::stop_token stop) { Monitor(std::move(stop)); });
  } catch (const std::system_error&) {
    // No thread to be had: the connections are still found by the threads that look for work.
    monitor_running_.store(false);
  }
}

void IdleConnections::Monitor(std::stop_token stop) {
  auto next_sweep = steady_clock::now() + kQuietSweep;
  auto idle_since = steady_clock::now();
  std::mutex mutex;
  std::condition_variable_any never;
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(mutex);
      never.wait_for(lock, stop, parked() > 0 ? kMonitorTick : kQuietSweep, [] { return false; });
    }
    if (stop.stop_requested()) return;
    const auto now = steady_clock::now();
    if (parked() == 0) {
      if (now - idle_since < kMonitorRetiresAfter) continue;
      // Leaves, unless a connection parked meanwhile: Park() adds before it reads
      // `monitor_running_`, this stores before it reads `parked_`, so one of them sees the other.
      std::lock_guard lock(monitor_mutex_);
      monitor_running_.store(false);
      if (parked_.load() == 0) return;
      monitor_running_.store(true);
    }
    idle_since = now;
    if (!polling_.load()) {
      // Nobody looks: every request that came goes to the pool now, or it would wait for a
      // thread to finish its own.
      while (auto connection = TakeReady()) hooks_.hand_over(std::move(connection));
    } else if (hooks_.pool_starved()) {
      const std::uint64_t one = 1;
      [[maybe_unused]] auto written = ::write(leave_.get(), &one, sizeof one);
    }
    if (now >= next_sweep) {
      CloseQuiet(now);
      next_sweep = now + kQuietSweep;
    }
  }
}

void IdleConnections::CloseQuiet(steady_clock::time_point now) {
  std::vector<Connection> quiet;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    for (auto it = shard.entries.begin(); it != shard.entries.end();) {
      if (it->second.parked && now - it->second.since >= hooks_.keep_alive) {
        quiet.push_back(std::move(it->second.parked));
        parked_.fetch_sub(1, std::memory_order_relaxed);
        it = shard.entries.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& connection : quiet) {
    connection->waited_without_a_thread = false;  // forgotten above
    hooks_.close(std::move(connection));
  }
}

}  // namespace http_cancel
