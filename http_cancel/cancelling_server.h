#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>

#include "hangup_watcher.h"
#include "pinned_httplib.h"
#include "unique_fd.h"
#include "worker_pool.h"

namespace http_cancel {

// A handler that is told, through `cancelled`, when its request no longer needs an answer.
using CancellableHandler =
    std::function<void(const httplib::Request&, httplib::Response&, std::stop_token cancelled)>;

// A cpp-httplib server whose handlers are cancelled like Go's r.Context():
// each request's std::stop_token is stop-requested
//   - when the client closes its connection while the handler runs (pushed by the kernel),
//   - already at handler start, when the client left before the handler began,
//   - when the server stops (stop() then returns once every handler has finished),
//   - when the request deadline passes, if one is set (Go's http.TimeoutHandler).
// A handler that writes nothing for a cancelled request sends nothing to a client that is
// gone, and "503 Service Unavailable" to one whose deadline passed or whose server is stopping.
// Plain two-argument cpp-httplib handlers work as before.
//
// Safer defaults than cpp-httplib's: request bodies are limited to 1 MiB (413 at once beyond;
// set_payload_max_length() changes it), a request whose body's end is ambiguous (two
// Content-Lengths, or one with Transfer-Encoding) is refused with 400, at once, headers as set_header_limits() says, and an exception
// from a handler is answered "500 internal server error" in a body, not an empty one.
// Responses leave without Nagle's delay (TCP_NODELAY), as Go's do.
//
// Written for cpp-httplib 0.53.1 only: it overrides the virtual
// httplib::Server::process_and_close_socket() and calls the protected process_request()
// (see http_cancel/README.md). Linux only: it waits on epoll.
class CancellingServer : public httplib::Server {
 public:
  // Told each event and when it happened. Events from different threads may arrive a little
  // out of order (a stop is told after it is done, so that telling does not delay it): order
  // them by `when`.
  using EventListener = std::function<void(std::string_view event, std::chrono::steady_clock::time_point when)>;

  CancellingServer();
  ~CancellingServer() override;  // stops first: see stop()

  CancellingServer& Get(const std::string& pattern, CancellableHandler handler);
  CancellingServer& Get(const std::string& pattern, httplib::Server::Handler handler);
  using httplib::Server::Post;
  CancellingServer& Post(const std::string& pattern, CancellableHandler handler);
  CancellingServer& Post(const std::string& pattern, httplib::Server::Handler handler);

  // Cancels a request whose handler has run longer than `timeout`; zero (the default): never.
  CancellingServer& set_request_timeout(std::chrono::milliseconds timeout);
  // A request line and headers must arrive within `timeout` (default 10 s) and `max_bytes`
  // (default 64 KiB), or the connection is closed (with 400 when it is still there).
  CancellingServer& set_header_limits(std::chrono::milliseconds timeout, std::size_t max_bytes);
  // Each connection is served by a thread of its own, from a pool that grows as connections
  // come, up to `max_threads` (default 512), and shrinks, when idle, to `min_threads`
  // (default 8). Connections beyond the maximum wait for a thread.
  CancellingServer& set_thread_limits(std::size_t min_threads, std::size_t max_threads);
  // As httplib::Server's: it runs once the request's framing is known to be sound.
  CancellingServer& set_pre_routing_handler(HandlerWithResponse handler);
  // Told "request received", "client gone", "response written" and the like, from the
  // serving threads and the watcher's thread at once: it must be thread-safe, and quick.
  // Set it, like everything else, before listen().
  CancellingServer& set_event_listener(EventListener listener);

  // As httplib::Server's, and stop() waits for them to return.
  bool listen(const std::string& host, int port, int socket_flags = 0);
  bool listen_after_bind();

  // Cancels every request in flight, stops listening, and returns once every handler has
  // finished and listen() has returned: the server may be destroyed right after. Called by a
  // handler, it cannot wait for itself, and returns at once. Hides httplib::Server::stop(),
  // which does not wait (calling that one still cancels every request in flight).
  void stop();

 protected:
  // Serves one connection, request after request (cpp-httplib calls it on a pool thread).
  // Protected, not private, so that a fuzzer can feed it a connection.
  bool process_and_close_socket(socket_t sock) override;

 private:
  httplib::Server::Handler Cancellable(CancellableHandler handler);
  httplib::Server::Handler Plain(httplib::Server::Handler handler);
  HandlerResponse RefuseBadFraming(const httplib::Request& request, httplib::Response& response) const;
  void Report(std::string_view event,
              std::chrono::steady_clock::time_point when = std::chrono::steady_clock::now()) const;
  void BeginServing();
  void CancelEverything();
  template <class Listen>
  bool Listening(Listen listen);

  // Settings first, the threads that use them last: members are destroyed in reverse order,
  // and the watcher's thread tells the listener until it is joined.
  std::chrono::milliseconds request_timeout_{0};
  std::chrono::milliseconds header_timeout_{10'000};
  std::size_t header_max_bytes_ = 64 * 1024;
  WorkerPool::Limits thread_limits_;
  EventListener listener_;
  HandlerWithResponse pre_routing_;

  std::mutex listening_mutex_;
  std::condition_variable listening_changed_;
  int listening_ = 0;  // listen() calls in progress

  UniqueFd stopping_;  // an eventfd, readable while the server stops: idle connections close
  HangupWatcher watcher_;
};

}  // namespace http_cancel
