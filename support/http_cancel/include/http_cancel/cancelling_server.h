#pragma once

#include "http_cancel/pinned_httplib.h"

#include <atomic>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <type_traits>
#include <utility>

#include "http_cancel/event.h"
#include "http_cancel/stop_reason.h"

namespace http_cancel {

// What a handler may know of its request's cancellation: Go's ctx.Done() and context.Cause(ctx).
// Valid while the handler runs, like the request: give token() to the work that must stop
// with the request.
class Cancellation {
 public:
  Cancellation(std::stop_token token, const std::atomic<StopReason>* reason)
      : token_(std::move(token)), reason_(reason) {}
  Cancellation(const Cancellation&) = delete;
  Cancellation& operator=(const Cancellation&) = delete;

  const std::stop_token& token() const { return token_; }
  bool stop_requested() const { return token_.stop_requested(); }
  // Why the request was stopped; StopReason::kNone while it was not. Set before the token is
  // stop-requested: a stop callback on token() may read it.
  StopReason reason() const { return reason_ != nullptr ? reason_->load() : StopReason::kNone; }

 private:
  std::stop_token token_;
  const std::atomic<StopReason>* reason_;
};

// The handlers a route takes: cpp-httplib's own, one told through a std::stop_token when its
// request no longer needs an answer, and one that can also ask why.
using PlainHandler = std::function<void(const httplib::Request&, httplib::Response&)>;
using CancellableHandler = std::function<void(const httplib::Request&, httplib::Response&, std::stop_token cancelled)>;
using CancellationHandler =
    std::function<void(const httplib::Request&, httplib::Response&, const Cancellation& cancellation)>;

template <class F>
concept RouteHandler = std::is_invocable_v<F&, const httplib::Request&, httplib::Response&> ||
    std::is_invocable_v<F&, const httplib::Request&, httplib::Response&, std::stop_token> ||
    std::is_invocable_v<F&, const httplib::Request&, httplib::Response&, const Cancellation&>;

// A cpp-httplib server whose handlers are cancelled like Go's r.Context(): each request's
// std::stop_token is stop-requested
//   - when the client closes its connection while the handler runs (pushed by the kernel),
//   - already at handler start, when the client left before the handler began,
//   - when the server stops (stop() then waits for every handler to finish),
//   - when the request deadline passes, if one is set (Go's http.TimeoutHandler).
// A handler that writes nothing for a cancelled request sends nothing to a client that is
// gone, and "503 Service Unavailable" to one whose deadline passed or whose server is stopping.
//
// Every route goes through the methods below, so every handler is watched, whatever its kind.
// Safer defaults than cpp-httplib's: request bodies up to 1 MiB (413 at once beyond), request
// line and headers within 10 s and 64 KiB, a request whose body's end is ambiguous refused with
// 400, an exception from a handler answered "500 internal server error" without its text, and
// responses without Nagle's delay, as Go's.
//
// Threads: the constructor starts none. listen() starts them, on the thread that calls it, so
// they take that thread's signal mask: one that waits for hang-ups (epoll), and a pool that
// serves connections, a thread each (8 at first, up to 16,384), or beyond 256 open connections
// serves requests (see set_thread_per_connection_up_to), with one more thread to watch the
// connections that wait between two requests while there are any. listen() joins them all before
// it returns. Handlers and the event listener run on them. A pool allowed more than 256 threads
// moves the process to the kernel's shared futex hash (Linux 6.16 and later give each process
// one of its own sized for its CPUs, too small for thousands of sleeping threads).
//
// Written for cpp-httplib 0.53.1 only, and Linux only (epoll, eventfd): see README.md.
class CancellingServer {
 public:
  using EventListener = std::function<void(const Event& event)>;

  CancellingServer();
  // Stops (see stop()), and waits for listen() to return however long its handlers take:
  // destroying the server while another thread is in listen() is safe.
  ~CancellingServer();
  CancellingServer(const CancellingServer&) = delete;
  CancellingServer& operator=(const CancellingServer&) = delete;

  // Routes. A handler takes (request, response), or also a std::stop_token, or a
  // const Cancellation&. Patterns are cpp-httplib's: regular expressions, or "/items/:id".
  template <RouteHandler H>
  CancellingServer& Get(const std::string& pattern, H handler) {
    return Route("GET", pattern, std::move(handler));
  }
  template <RouteHandler H>
  CancellingServer& Post(const std::string& pattern, H handler) {
    return Route("POST", pattern, std::move(handler));
  }
  template <RouteHandler H>
  CancellingServer& Put(const std::string& pattern, H handler) {
    return Route("PUT", pattern, std::move(handler));
  }
  template <RouteHandler H>
  CancellingServer& Patch(const std::string& pattern, H handler) {
    return Route("PATCH", pattern, std::move(handler));
  }
  template <RouteHandler H>
  CancellingServer& Delete(const std::string& pattern, H handler) {
    return Route("DELETE", pattern, std::move(handler));
  }
  template <RouteHandler H>
  CancellingServer& Options(const std::string& pattern, H handler) {
    return Route("OPTIONS", pattern, std::move(handler));
  }

  // Settings: set them before listen().
  // Cancels a request whose handler has run longer than `timeout`; zero (the default): never.
  CancellingServer& set_request_timeout(std::chrono::milliseconds timeout);
  // A request line and headers must arrive within `timeout` (default 10 s) and `max_bytes`
  // (default 64 KiB), or the connection is closed (with 400 when it is still there).
  CancellingServer& set_header_limits(std::chrono::milliseconds timeout, std::size_t max_bytes);
  // Connections are served by a pool that grows as they come, up to `max_threads` (default
  // 16,384), and shrinks when idle to `min_threads` (default 8). Beyond the maximum, they wait.
  CancellingServer& set_thread_limits(std::size_t min_threads, std::size_t max_threads);
  // The stack of each of those threads, in bytes; 0 (the default): the system's (ulimit -s,
  // often 8 MiB). Handlers run on it. A smaller one starts faster (256 KiB about twice as fast
  // as 8 MiB, on docs/performance.md's machine). Throws std::invalid_argument below
  // PTHREAD_STACK_MIN (16 KiB on Linux), or when a thread with that stack cannot start (it tries
  // one).
  CancellingServer& set_thread_stack_size(std::size_t bytes);
  // Up to `connections` open connections (default 256), each keeps its thread while it waits
  // for its next request, as cpp-httplib's do. Beyond, a connection between two requests waits
  // without one, in one epoll set, and the threads serve requests, not connections.
  CancellingServer& set_thread_per_connection_up_to(std::size_t connections);
  // How long stop() waits for handlers to return, at most; zero (the default): as long as they take.
  CancellingServer& set_shutdown_grace_period(std::chrono::milliseconds grace_period);
  // Told every Event, from many threads at once: it must be thread-safe, and quick. An
  // exception from it is caught and dropped: events are reports, they change nothing.
  CancellingServer& set_event_listener(EventListener listener);

  // As httplib::Server's.
  CancellingServer& set_pre_routing_handler(httplib::Server::HandlerWithResponse handler);  // after the framing checks
  CancellingServer& set_post_routing_handler(httplib::Server::Handler handler);
  CancellingServer& set_error_handler(httplib::Server::Handler handler);
  CancellingServer& set_exception_handler(httplib::Server::ExceptionHandler handler);
  CancellingServer& set_logger(httplib::Logger logger);
  CancellingServer& set_default_headers(httplib::Headers headers);
  CancellingServer& set_read_timeout(std::chrono::microseconds timeout);
  CancellingServer& set_write_timeout(std::chrono::microseconds timeout);
  CancellingServer& set_keep_alive_max_count(std::size_t count);
  CancellingServer& set_keep_alive_timeout(std::chrono::seconds timeout);
  CancellingServer& set_payload_max_length(std::size_t length);  // 0: no limit
  bool set_mount_point(const std::string& mount_point, const std::string& dir);

  // As httplib::Server's. A stop() that came first is kept: they return false at once.
  bool bind_to_port(const std::string& host, int port, int socket_flags = 0);
  int bind_to_any_port(const std::string& host, int socket_flags = 0);  // the port, or -1
  bool listen_after_bind();
  bool listen(const std::string& host, int port, int socket_flags = 0);
  bool is_running() const;
  void wait_until_ready() const;

  // Stops for good, from any thread, before or during listen(): cancels every request in
  // flight, stops listening, and waits until every handler has returned and listen() has.
  // True then: the server may be destroyed right after. False when the grace period ended
  // first (each handler still running is reported as Event::Kind::kStopIgnored: it ignores
  // its token), or when a handler called it (it cannot wait for itself).
  bool stop();

 protected:
  // Serves one connected socket, request after request, and closes it, as listen() does for
  // each connection it accepts: for a fuzzer, which has no listening socket.
  bool ServeConnection(int socket);

 private:
  class Impl;
  struct Adapted {
    CancellationHandler handler;
    bool sees_cancellation;  // takes a token: a 503 is its answer when it writes nothing
  };

  template <class H>
  static Adapted Adapt(H handler) {
    using Request = const httplib::Request&;
    if constexpr (std::is_invocable_v<H&, Request, httplib::Response&, const Cancellation&>) {
      return {CancellationHandler(std::move(handler)), true};
    } else if constexpr (std::is_invocable_v<H&, Request, httplib::Response&, std::stop_token>) {
      return {[handler = std::move(handler)](Request request, httplib::Response& response,
                                             const Cancellation& cancellation) mutable {
                handler(request, response, cancellation.token());
              },
              true};
    } else {
      return {[handler = std::move(handler)](Request request, httplib::Response& response,
                                             const Cancellation&) mutable { handler(request, response); },
              false};
    }
  }
  template <class H>
  CancellingServer& Route(const char* method, const std::string& pattern, H handler) {
    AddRoute(method, pattern, Adapt(std::move(handler)));
    return *this;
  }
  void AddRoute(const char* method, const std::string& pattern, Adapted handler);

  std::unique_ptr<Impl> impl_;
};

}  // namespace http_cancel
