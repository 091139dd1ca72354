#pragma once

namespace http_cancel {

// Why a request's std::stop_token was stop-requested: Go's context.Cause(ctx), with more detail.
enum class StopReason {
  kNone,              // not stopped
  kClientGone,        // the client closed its connection (Go: context.Canceled)
  kDeadlineExceeded,  // the per-request deadline passed (Go: context.DeadlineExceeded)
  kServerStopping,    // the server is shutting down
};

// "client gone", "deadline exceeded", "server stopping", "not stopped".
const char* Describe(StopReason reason);

}  // namespace http_cancel
