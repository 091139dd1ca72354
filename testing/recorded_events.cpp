#include "recorded_events.h"

void RecordedEvents::Print(std::string_view event) {
  {
    std::lock_guard lock(mutex_);
    events_.emplace_back(event);
  }
  recorded_.notify_all();
}

std::ptrdiff_t RecordedEvents::IndexOf(std::string_view event) const {
  for (std::size_t i = 0; i < events_.size(); ++i) {
    if (events_[i].starts_with(event)) return static_cast<std::ptrdiff_t>(i);
  }
  return -1;
}

bool RecordedEvents::WaitFor(std::string_view event, std::chrono::milliseconds patience) {
  std::unique_lock lock(mutex_);
  return recorded_.wait_for(lock, patience, [&] { return IndexOf(event) >= 0; });
}

bool RecordedEvents::Contains(std::string_view event) const {
  std::lock_guard lock(mutex_);
  return IndexOf(event) >= 0;
}

bool RecordedEvents::InOrder(std::string_view first, std::string_view then) const {
  std::lock_guard lock(mutex_);
  const auto a = IndexOf(first);
  const auto b = IndexOf(then);
  return a >= 0 && b >= 0 && a < b;
}

std::vector<std::string> RecordedEvents::All() const {
  std::lock_guard lock(mutex_);
  return events_;
}
