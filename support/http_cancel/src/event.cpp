#include "http_cancel/event.h"

namespace http_cancel {

const char* Describe(StopReason reason) {
  switch (reason) {
    case StopReason::kNone: return "not stopped";
    case StopReason::kClientGone: return "client gone";
    case StopReason::kDeadlineExceeded: return "deadline exceeded";
    case StopReason::kServerStopping: return "server stopping";
  }
  return "unknown";
}

std::string ToText(const Event& event) {
  const auto request = [&event](std::string text) {
    text.append(event.method).append(" ").append(event.path);
    return text;
  };
  switch (event.kind) {
    case Event::Kind::kRequestReceived: return request("request received ");
    case Event::Kind::kRequestStopped: return Describe(event.reason);
    case Event::Kind::kResponseWritten: return "response written";
    case Event::Kind::kResponseNotWritten: return "response not written";
    case Event::Kind::kStopIgnored: return request("stop ignored ");
  }
  return "unknown event";
}

}  // namespace http_cancel
