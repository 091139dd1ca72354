#include "http_cancel/test/recorded_events.h"

#include <algorithm>

namespace http_cancel::test {

CancellingServer::EventListener RecordedEvents::Listener() {
  return [this](const Event& event) { Record(ToText(event), event.when, event.request); };
}

void RecordedEvents::Record(std::string_view text, Clock::time_point when, std::uint64_t request) {
  {
    std::lock_guard lock(mutex_);
    // Kept in the order the events happened, which is not always the order they are told.
    const auto later = std::ranges::upper_bound(events_, when, {}, &Recorded::when);
    events_.insert(later, Recorded{when, std::string(text), request});
    told_.push_back(Recorded{when, std::string(text), request});
  }
  recorded_.notify_all();
}

std::ptrdiff_t RecordedEvents::IndexOf(std::string_view text) const {
  for (std::size_t i = 0; i < events_.size(); ++i) {
    if (events_[i].text.starts_with(text)) return static_cast<std::ptrdiff_t>(i);
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

testing::AssertionResult RecordedEvents::WaitFor(std::string_view text, std::chrono::milliseconds patience) {
  std::unique_lock lock(mutex_);
  if (recorded_.wait_for(lock, patience, [&] { return IndexOf(text) >= 0; })) {
    return testing::AssertionSuccess() << '"' << text << "\" happened";
  }
  return testing::AssertionFailure() << "no \"" << text << "\" within " << ToText(patience)
                                     << "; what happened: " << WhatHappened();
}

testing::AssertionResult RecordedEvents::Contains(std::string_view text) const {
  std::lock_guard lock(mutex_);
  if (IndexOf(text) >= 0) return testing::AssertionSuccess() << '"' << text << "\" happened";
  return testing::AssertionFailure() << "no \"" << text << "\"; what happened: " << WhatHappened();
}

testing::AssertionResult RecordedEvents::InOrder(std::string_view first, std::string_view then,
                                                 std::chrono::milliseconds patience) {
  std::unique_lock lock(mutex_);
  recorded_.wait_for(lock, patience, [&] { return IndexOf(first) >= 0 && IndexOf(then) >= 0; });
  const auto a = IndexOf(first);
  const auto b = IndexOf(then);
  if (a >= 0 && b >= 0 && a < b) {
    return testing::AssertionSuccess() << '"' << first << "\" happened before \"" << then << '"';
  }
  if (b < 0) {
    return testing::AssertionFailure() << "no \"" << then << "\" within " << ToText(patience)
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

std::vector<std::string> RecordedEvents::Of(std::uint64_t request) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> texts;
  for (const auto& event : told_) {
    if (event.request == request) texts.push_back(event.text);
  }
  return texts;
}

}  // namespace http_cancel::test
