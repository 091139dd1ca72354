#include "recorded_events.h"

#include <algorithm>

void RecordedEvents::PrintAt(std::string_view event, Clock::time_point when) {
  {
    std::lock_guard lock(mutex_);
    // Kept in the order the events happened, which is not always the order they are told.
    const auto later = std::ranges::upper_bound(events_, when, {}, &Event::when);
    events_.insert(later, Event{when, std::string(event)});
  }
  recorded_.notify_all();
}

std::ptrdiff_t RecordedEvents::IndexOf(std::string_view event) const {
  for (std::size_t i = 0; i < events_.size(); ++i) {
    if (events_[i].text.starts_with(event)) return static_cast<std::ptrdiff_t>(i);
  }
  return -1;
}

std::string RecordedEvents::WhatHappened(std::size_t count) const {
  count = std::min(count, events_.size());
  if (count == 0) return "nothing";
  std::string list;
  for (std::size_t i = 0; i < count; ++i) list += (i == 0 ? "\"" : ", \"") + events_[i].text + '"';
  return list;
}

testing::AssertionResult RecordedEvents::WaitFor(std::string_view event, std::chrono::milliseconds patience) {
  const watchdog::BoundedWait bounded;
  std::unique_lock lock(mutex_);
  if (recorded_.wait_for(lock, patience, [&] { return IndexOf(event) >= 0; })) {
    return testing::AssertionSuccess() << '"' << event << "\" happened";
  }
  return testing::AssertionFailure() << "no \"" << event << "\" within " << watchdog::ToText(patience)
                                     << "; what happened: " << WhatHappened();
}

testing::AssertionResult RecordedEvents::Contains(std::string_view event) const {
  std::lock_guard lock(mutex_);
  if (IndexOf(event) >= 0) return testing::AssertionSuccess() << '"' << event << "\" happened";
  return testing::AssertionFailure() << "no \"" << event << "\"; what happened: " << WhatHappened();
}

testing::AssertionResult RecordedEvents::InOrder(std::string_view first, std::string_view then,
                                                 std::chrono::milliseconds patience) {
  const watchdog::BoundedWait bounded;
  std::unique_lock lock(mutex_);
  recorded_.wait_for(lock, patience, [&] { return IndexOf(first) >= 0 && IndexOf(then) >= 0; });
  const auto a = IndexOf(first);
  const auto b = IndexOf(then);
  if (a >= 0 && b >= 0 && a < b) {
    return testing::AssertionSuccess() << '"' << first << "\" happened before \"" << then << '"';
  }
  if (b < 0) {
    return testing::AssertionFailure() << "no \"" << then << "\" within " << watchdog::ToText(patience)
                                       << "; what happened: " << WhatHappened();
  }
  // Only what happened before `then`: what came after it can vary from run to run.
  return testing::AssertionFailure() << '"' << first << "\" did not happen before \"" << then
                                     << "\"; before it: " << WhatHappened(static_cast<std::size_t>(b));
}

std::vector<std::string> RecordedEvents::All() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> texts;
  for (const auto& event : events_) texts.push_back(event.text);
  return texts;
}
