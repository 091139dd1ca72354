#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "http_cancel/stop_reason.h"

namespace http_cancel {

// What a CancellingServer tells its event listener, request by request.
struct Event {
  enum class Kind {
    kRequestReceived,     // its request line and headers were read: method and path are set
    kRequestStopped,      // its token was stop-requested: `reason` says why
    kResponseWritten,     // its response went out whole
    kResponseNotWritten,  // it got no response, or not all of it (its client is gone)
    kStopIgnored,         // its handler still ran when stop()'s grace period ended: method and path are set
  };

  Kind kind;
  // Which request: 1, 2, 3, ... in the order their headers were read, per server.
  std::uint64_t request;
  std::chrono::steady_clock::time_point when;
  StopReason reason = StopReason::kNone;  // kRequestStopped only
  std::string_view method = {};           // kRequestReceived and kStopIgnored only; valid during the call
  std::string_view path = {};
};

// The event as one line of text, without the request id: "request received GET /report",
// "client gone", "deadline exceeded", "server stopping", "response written", "response not
// written", "stop ignored GET /report".
std::string ToText(const Event& event);

}  // namespace http_cancel
