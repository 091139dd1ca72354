#include "hangup_watcher.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <system_error>
#include <utility>
#include <vector>

namespace http_cancel {
namespace {

constexpr std::uint64_t kWakeUpId = 0;  // no request's

UniqueFd CheckFd(int fd, const char* what) {
  if (fd < 0) throw std::system_error(errno, std::generic_category(), what);
  return UniqueFd{fd};
}

// The peer closed its end (or reset it): the same events the watcher waits for.
bool HasHungUp(int socket) {
  pollfd probe{.fd = socket, .events = POLLRDHUP, .revents = 0};
  return ::poll(&probe, 1, 0) > 0 && (probe.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

}  // namespace

HangupWatcher::HangupWatcher(OnStop on_stop)
    : on_stop_(std::move(on_stop)),
      epoll_(CheckFd(::epoll_create1(EPOLL_CLOEXEC), "epoll_create1")),
      wake_(CheckFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), "eventfd")) {
  epoll_event event{.events = EPOLLIN, .data = {.u64 = kWakeUpId}};
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &event) != 0) {
    throw std::system_error(errno, std::generic_category(), "epoll_ctl(eventfd)");
  }
}

HangupWatcher::~HangupWatcher() {
  Halt();
}

void HangupWatcher::Start() {
  std::lock_guard lock(thread_mutex_);
  if (!thread_.joinable()) thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

void HangupWatcher::Halt() {
  std::lock_guard lock(thread_mutex_);
  if (!thread_.joinable()) return;
  thread_.request_stop();
  WakeUp();
  thread_.join();
}

void HangupWatcher::Watch(WatchId id, int socket, std::stop_source source, std::optional<Clock::time_point> deadline,
                          std::atomic<StopReason>& reason) {
  StopReason already = StopReason::kNone;
  bool earliest_deadline = false;
  {
    Shard& shard = ShardOf(id);
    std::lock_guard lock(shard.mutex);
    shard.watched.emplace(id, Watched{source, deadline, &reason});
    // Read under the shard's lock: StopAll() sets it before it takes each shard's.
    already = stop_all_.load();
  }
  if (deadline) {
    std::lock_guard lock(deadlines_mutex_);
    earliest_deadline = deadlines_.empty() || *deadline < deadlines_.begin()->first;
    deadlines_.emplace(*deadline, id);
  }
  // One-shot: the first hang-up event is all we need; later ones would only spin. A socket
  // stays registered from one request to the next (epoll forgets it when it is closed), so
  // each request re-arms it, under its own id, with one call.
  epoll_event event{.events = EPOLLRDHUP | EPOLLONESHOT, .data = {.u64 = id}};
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, socket, &event) != 0 &&
      (errno != ENOENT || ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, socket, &event) != 0)) {
    already = StopReason::kClientGone;  // not a socket we can watch: treat it as gone
  }
  // A client that left before its request reached the handler is gone already.
  if (already == StopReason::kNone && HasHungUp(socket)) already = StopReason::kClientGone;
  if (already != StopReason::kNone) {
    if (auto stopped = MarkStopped(id, already)) {
      Stop(id, *stopped, already);
    } else {
      // The watcher's thread (the event that ADD just armed) or StopAll() marked it first, and
      // may not have stopped the source yet: the handler must find it stopped when it starts.
      Shard& shard = ShardOf(id);
      std::unique_lock lock(shard.mutex);
      const auto found = shard.watched.find(id);
      shard.stopped.wait(lock, [&] { return !found->second.stopping; });
    }
  }
  if (earliest_deadline) WakeUp();
}

void HangupWatcher::Unwatch(WatchId id) {
  std::optional<Clock::time_point> deadline;
  {
    Shard& shard = ShardOf(id);
    std::unique_lock lock(shard.mutex);
    auto found = shard.watched.find(id);
    if (found == shard.watched.end()) return;
    shard.stopped.wait(lock, [&] { return !found->second.stopping; });
    // The socket stays registered, maybe armed: a later event carries this id, and is ignored.
    deadline = found->second.deadline;
    shard.watched.erase(found);
  }
  if (deadline) {
    std::lock_guard lock(deadlines_mutex_);
    deadlines_.erase({*deadline, id});
  }
}

void HangupWatcher::StopAll(StopReason reason) {
  std::vector<std::pair<WatchId, std::stop_source>> to_stop;
  stop_all_ = reason;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    for (auto& [id, watched] : shard.watched) {
      auto none = StopReason::kNone;
      if (watched.reason->compare_exchange_strong(none, reason)) {
        watched.stopping = true;
        to_stop.emplace_back(id, watched.source);
      }
    }
  }
  // Outside the locks: stop callbacks may take locks of their own.
  for (auto& [id, source] : to_stop) Stop(id, source, reason);
}

void HangupWatcher::Resume() {
  stop_all_ = StopReason::kNone;
}

std::optional<std::stop_source> HangupWatcher::MarkStopped(WatchId id, StopReason reason) {
  Shard& shard = ShardOf(id);
  std::lock_guard lock(shard.mutex);
  auto found = shard.watched.find(id);
  if (found == shard.watched.end()) return std::nullopt;
  auto none = StopReason::kNone;  // the first reason is the one that counts
  if (!found->second.reason->compare_exchange_strong(none, reason)) return std::nullopt;
  found->second.stopping = true;
  return found->second.source;
}

void HangupWatcher::Stop(WatchId id, std::stop_source& source, StopReason reason) {
  const auto when = Clock::now();
  source.request_stop();
  if (on_stop_) on_stop_(id, reason, when);
  Shard& shard = ShardOf(id);
  std::lock_guard lock(shard.mutex);
  // Still there: only Unwatch() erases it, and it waits for this.
  shard.watched.at(id).stopping = false;
  shard.stopped.notify_all();
}

void HangupWatcher::WakeUp() const {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto written = ::write(wake_.get(), &one, sizeof one);
}

void HangupWatcher::Run(std::stop_token stop) {
  std::array<epoll_event, 64> events{};
  std::vector<std::pair<WatchId, StopReason>> due;
  while (!stop.stop_requested()) {
    int timeout_ms = -1;
    {
      std::lock_guard lock(deadlines_mutex_);
      if (!deadlines_.empty()) {
        const auto wait = deadlines_.begin()->first - Clock::now();
        timeout_ms = wait <= Clock::duration::zero()
                         ? 0
                         : static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wait).count());
      }
    }
    const int ready = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), timeout_ms);
    if (ready < 0 && errno != EINTR) {
      throw std::system_error(errno, std::generic_category(),
                              "epoll_wait");  // terminates: a broken epoll must not pass unseen
    }
    due.clear();
    for (int i = 0; i < ready; ++i) {
      const std::uint64_t id = events[static_cast<std::size_t>(i)].data.u64;
      if (id == kWakeUpId) {
        std::uint64_t count = 0;
        [[maybe_unused]] auto read = ::read(wake_.get(), &count, sizeof count);
      } else {
        due.emplace_back(id, StopReason::kClientGone);
      }
    }
    {
      std::lock_guard lock(deadlines_mutex_);
      const auto now = Clock::now();
      while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
        due.emplace_back(deadlines_.begin()->second, StopReason::kDeadlineExceeded);
        deadlines_.erase(deadlines_.begin());
      }
    }
    for (auto [id, reason] : due) {
      if (auto stopped = MarkStopped(id, reason)) Stop(id, *stopped, reason);
    }
  }
}

}  // namespace http_cancel
