#include "http_cancel/cancelling_server.h"

#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

#include "client_connection.h"
#include "hangup_watcher.h"
#include "http_cancel/unique_fd.h"
#include "idle_connections.h"
#include "socket_stream.h"
#include "worker_pool.h"

namespace http_cancel {
namespace {

using namespace std::chrono;

// One request on its way through process_request().
struct RequestInFlight {
  std::uint64_t id = 0;  // 0 until its headers are read
  std::stop_source source;
  std::atomic<StopReason> reason{StopReason::kNone};  // set before `source` is stopped
  bool watched = false;                               // until its response starts
  std::string method;                                 // to name it if it outlives a stop's grace period
  std::string path;
  RequestInFlight* previous = nullptr;  // in the server's list of requests in flight
  RequestInFlight* next = nullptr;
};

// The request this thread is serving, and for which server. cpp-httplib runs a connection's
// requests, and their handlers, on one pool thread, and gives a handler no other way to reach
// our state.
thread_local RequestInFlight* current_request = nullptr;
thread_local const void* current_server = nullptr;

}  // namespace

// cpp-httplib's server, reached only through CancellingServer, so that every route is wrapped.
class CancellingServer::Impl final : public httplib::Server {
 public:
  Impl();
  ~Impl() override = default;

  httplib::Server::Handler Wrap(Adapted handler);
  bool Serve(socket_t sock);
  void LookForWork();
  template <class Listen>
  bool Listening(Listen listen);
  void WaitUntilReady();
  void WidenBacklog();
  bool Stop();
  void WaitUntilListenEnds();

  bool process_and_close_socket(socket_t sock) override { return Serve(sock); }

  // Settings, set before listen().
  milliseconds request_timeout{0};
  milliseconds header_timeout{10'000};
  std::size_t header_max_bytes = 64 * 1024;
  WorkerPool::Limits thread_limits;
  std::size_t thread_per_connection_up_to = 256;
  milliseconds grace_period{0};
  EventListener listener;
  HandlerWithResponse pre_routing;
  Handler post_routing;

 private:
  using Connection = IdleConnections::Connection;
  void Continue(Connection connection, bool request_came);
  bool ServeRequest(ClientConnection& connection);
  void HandOver(Connection connection);
  void Close(Connection connection);
  bool WaitsWithoutAThread() const {
    return open_connections_.load(std::memory_order_relaxed) > thread_per_connection_up_to;
  }
  void Begin(RequestInFlight& request, const httplib::Request& started, socket_t sock);
  void EndWatch(RequestInFlight& request);
  void Forget(RequestInFlight& request);
  HandlerResponse RefuseBadFraming(const httplib::Request& request, httplib::Response& response) const;
  void Report(const Event& event) const noexcept;
  void ReportStopsIgnored();
  void CancelEverything();

  UniqueFd stopping_;  // an eventfd, readable once the server stops: idle connections close
  std::atomic<std::uint64_t> next_request_id_{1};
  std::atomic<std::uint64_t> next_connection_id_{1};
  std::atomic<std::size_t> open_connections_{0};
  WorkerPool* pool_ = nullptr;  // from listen() to the end of its threads
  IdleConnections idle_;

  // The requests in flight, newest first, in lists by id: a lock each request takes twice
  // must not be one that thousands of threads queue on.
  struct alignas(64) InFlight {
    std::mutex mutex;
    RequestInFlight* newest = nullptr;
  };
  std::array<InFlight, 64> in_flight_;
  InFlight& InFlightOf(const RequestInFlight& request) { return in_flight_[request.id % in_flight_.size()]; }

  std::mutex listening_mutex_;
  std::condition_variable listening_changed_;
  int listening_ = 0;     // listen() calls in progress
  bool ready_ = false;    // listen() accepts, or ended
  bool stopped_ = false;  // for good

  HangupWatcher watcher_;  // last: its thread tells the listener until it is joined
};

namespace {

microseconds ToMicroseconds(time_t seconds, time_t microseconds_part) {
  return duration_cast<microseconds>(std::chrono::seconds(seconds)) + microseconds(microseconds_part);
}

UniqueFd CheckedEventFd() {
  UniqueFd fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!fd) throw std::system_error(errno, std::generic_category(), "eventfd");
  return fd;
}

}  // namespace

CancellingServer::Impl::Impl()
    : stopping_(CheckedEventFd()),
      watcher_([this](HangupWatcher::WatchId id, StopReason reason, HangupWatcher::Clock::time_point when) {
        Report({.kind = Event::Kind::kRequestStopped, .request = id, .when = when, .reason = reason});
      }) {
  // cpp-httplib creates its task queue once listen() has its socket, on listen()'s thread:
  // the threads start there, with that thread's signal mask.
  new_task_queue = [this] {
    watcher_.Start();
    auto pool = std::make_unique<WorkerPool>(thread_limits, [this] { CancelEverything(); });
    pool_ = pool.get();
    idle_.Start({.hand_over = [this](Connection connection) { HandOver(std::move(connection)); },
                 .pool_starved = [this] { return pool_->Starved(); },
                 .close = [this](Connection connection) { Close(std::move(connection)); },
                 .keep_alive = seconds(keep_alive_timeout_sec_)});
    {
      std::lock_guard lock(listening_mutex_);
      if (stopped_) httplib::Server::stop();  // it came while listen() bound its socket
      ready_ = true;
    }
    listening_changed_.notify_all();
    return pool.release();
  };
  set_payload_max_length(1024 * 1024);  // cpp-httplib's default is 100 MiB
  set_pre_routing_handler([this](const httplib::Request& request, httplib::Response& response) {
    if (RefuseBadFraming(request, response) == HandlerResponse::Handled) return HandlerResponse::Handled;
    return pre_routing ? pre_routing(request, response) : HandlerResponse::Unhandled;
  });
  // Runs just before any response's status line: a hang-up from now on is not the request's.
  set_post_routing_handler([this](const httplib::Request& request, httplib::Response& response) {
    if (current_request != nullptr && current_server == this) EndWatch(*current_request);
    if (post_routing) post_routing(request, response);
  });
  set_tcp_nodelay(true);  // or a response in more than one write waits for a delayed ACK (40 ms)
  // Keep a handler's exception out of the answer, and say what happened: cpp-httplib's 500
  // has an empty body.
  set_exception_handler([](const httplib::Request&, httplib::Response& response, std::exception_ptr) {
    response.status = 500;
    response.set_content("internal server error\n", "text/plain");
  });
}

// cpp-httplib 0.53.1 refuses Transfer-Encoding with a Content-Length other than 0, and two
// different Content-Lengths; it accepts the rest, and waits for an over-limit body's bytes
// before it refuses them. Here each is answered before any of the body is read, and the
// connection closes after the answer (cpp-httplib sees the response's "Connection: close").
httplib::Server::HandlerResponse CancellingServer::Impl::RefuseBadFraming(const httplib::Request& request,
                                                                          httplib::Response& response) const {
  const auto lengths = request.get_header_value_count("Content-Length");
  if (lengths > 1 || (lengths == 1 && request.has_header("Transfer-Encoding"))) {
    response.status = 400;
  } else if (lengths == 1 && payload_max_length_ > 0 &&  // 0: no limit
             request.get_header_value_u64("Content-Length") > payload_max_length_) {
    response.status = 413;
  } else {
    return HandlerResponse::Unhandled;
  }
  response.set_header("Connection", "close");
  return HandlerResponse::Handled;
}

void CancellingServer::Impl::Report(const Event& event) const noexcept {
  if (!listener) return;
  try {
    listener(event);
  } catch (...) {  // a report changes nothing: not the request, and not the process
  }
}

httplib::Server::Handler CancellingServer::Impl::Wrap(Adapted adapted) {
  return [this, handler = std::move(adapted.handler), sees_cancellation = adapted.sees_cancellation](
             const httplib::Request& request, httplib::Response& response) {
    RequestInFlight* in_flight = current_server == this ? current_request : nullptr;
    // Outside one of our connections there is nothing to cancel the request.
    const Cancellation cancellation = in_flight != nullptr
                                          ? Cancellation(in_flight->source.get_token(), &in_flight->reason)
                                          : Cancellation({}, nullptr);
    handler(request, response, cancellation);
    if (in_flight == nullptr) return;
    EndWatch(*in_flight);
    const bool wrote_nothing = response.status == -1 && response.body.empty();
    if (!sees_cancellation || !cancellation.stop_requested() || !wrote_nothing) return;
    // The handler gave up without an answer. A client that is gone gets nothing (the stream
    // refuses to write); one that is still there learns why.
    switch (cancellation.reason()) {
      case StopReason::kDeadlineExceeded:
        response.status = 503;
        response.set_content("deadline exceeded\n", "text/plain");
        break;
      case StopReason::kServerStopping:  // the connection closes after this answer
        response.status = 503;
        response.set_content("server stopping\n", "text/plain");
        break;
      case StopReason::kClientGone:
      case StopReason::kNone: break;
    }
  };
}

void CancellingServer::Impl::Begin(RequestInFlight& request, const httplib::Request& started, socket_t sock) {
  request.id = next_request_id_.fetch_add(1, std::memory_order_relaxed);
  Report({.kind = Event::Kind::kRequestReceived,
          .request = request.id,
          .when = steady_clock::now(),
          .method = started.method,
          .path = started.path});
  request.method = started.method;
  request.path = started.path;
  {
    InFlight& in_flight = InFlightOf(request);
    std::lock_guard lock(in_flight.mutex);
    request.next = std::exchange(in_flight.newest, &request);
    if (request.next != nullptr) request.next->previous = &request;
  }
  std::optional<HangupWatcher::Clock::time_point> deadline;
  if (request_timeout > milliseconds::zero()) deadline = HangupWatcher::Clock::now() + request_timeout;
  request.watched = true;
  watcher_.Watch(request.id, sock, request.source, deadline, request.reason);
}

// Once the response starts, or the handler has returned, a hang-up cancels nothing, and no
// stop is told any more.
void CancellingServer::Impl::EndWatch(RequestInFlight& request) {
  if (std::exchange(request.watched, false)) watcher_.Unwatch(request.id);
}

void CancellingServer::Impl::Forget(RequestInFlight& request) {
  InFlight& in_flight = InFlightOf(request);
  std::lock_guard lock(in_flight.mutex);
  (request.previous != nullptr ? request.previous->next : in_flight.newest) = request.next;
  if (request.next != nullptr) request.next->previous = request.previous;
}

bool CancellingServer::Impl::Serve(socket_t sock) {
  open_connections_.fetch_add(1, std::memory_order_relaxed);
  const SocketStream::Timeouts timeouts{.read = ToMicroseconds(read_timeout_sec_, read_timeout_usec_),
                                        .write = ToMicroseconds(write_timeout_sec_, write_timeout_usec_)};
  Continue(std::make_unique<ClientConnection>(sock, next_connection_id_.fetch_add(1, std::memory_order_relaxed),
                                              timeouts, stopping_.get(), keep_alive_max_count_),
           false);
  LookForWork();
  return true;  // cpp-httplib does not look at it
}

// Serves the connection's requests, one after another, until it closes or parks. Up to
// `thread_per_connection_up_to` open connections, it keeps this thread while it waits for its
// next request, as cpp-httplib's connections do; beyond, it waits in the idle set without one.
void CancellingServer::Impl::Continue(Connection connection, bool request_came) {
  for (;;) {
    bool came = std::exchange(request_came, false) || connection->stream.is_readable();
    while (!came && WaitsWithoutAThread()) {
      const auto parked = idle_.Park(connection);
      if (parked == IdleConnections::Parking::kParked) return;
      if (parked == IdleConnections::Parking::kRefused) break;
      came = connection->stream.WaitForNextRequest(microseconds::zero());  // bytes came: a request?
    }
    if (!came && !connection->stream.WaitForNextRequest(seconds(keep_alive_timeout_sec_))) break;
    if (!ServeRequest(*connection)) break;
  }
  Close(std::move(connection));
}

// A thread whose connection has parked or closed serves connections whose requests came, while
// any wait: it takes one that is ready, or else waits for one if no other thread does.
void CancellingServer::Impl::LookForWork() {
  while (idle_.parked() > 0) {
    if (auto connection = idle_.TakeReady()) {
      Continue(std::move(connection), true);
      continue;
    }
    auto ready = idle_.WaitAsPoller();
    if (ready.empty()) return;
    // Requests that came together are served together: all but one by other threads.
    for (std::size_t i = 0; i + 1 < ready.size(); ++i) HandOver(std::move(ready[i]));
    Continue(std::move(ready.back()), true);
  }
}

void CancellingServer::Impl::HandOver(Connection connection) {
  ClientConnection* handed = connection.release();  // a task must be copyable
  const bool queued = pool_->enqueue([this, handed] {
    Continue(Connection(handed), true);
    LookForWork();
  });
  if (!queued) Close(Connection(handed));  // stopping
}

void CancellingServer::Impl::Close(Connection connection) {
  if (connection->waited_without_a_thread) idle_.Forget(connection->id);
  ::shutdown(connection->socket, SHUT_RDWR);
  ::close(connection->socket);
  open_connections_.fetch_sub(1, std::memory_order_relaxed);
}

// One request on the connection; false when the connection must close after it.
bool CancellingServer::Impl::ServeRequest(ClientConnection& connection) {
  if (connection.requests_left == 0) return false;  // keep-alive's maximum count
  const bool last = --connection.requests_left == 0;
  SocketStream& stream = connection.stream;
  RequestInFlight request;
  // Nothing is written to a client that is gone.
  stream.RefuseWritesWhen([&request] { return request.reason == StopReason::kClientGone; });
  bool connection_closed = false;
  current_request = &request;
  current_server = this;
  stream.LimitHeaders(header_timeout, header_max_bytes);
  const bool served = process_request(stream, connection.remote_ip, connection.remote_port, connection.local_ip,
                                      connection.local_port, last, connection_closed, [&](httplib::Request& started) {
                                        stream.HeadersRead();
                                        Begin(request, started, connection.socket);
                                      });
  current_request = nullptr;
  current_server = nullptr;
  stream.RefuseWritesWhen(nullptr);
  if (request.id == 0) return false;  // no request came: the client closed, or sent garbage
  EndWatch(request);
  Forget(request);
  const auto written = stream.TakeWritten();
  const bool answered = served && written.anything && !written.failed;
  Report({.kind = answered ? Event::Kind::kResponseWritten : Event::Kind::kResponseNotWritten,
          .request = request.id,
          .when = steady_clock::now()});
  return answered && !connection_closed && request.reason != StopReason::kClientGone && !last;
}

void CancellingServer::Impl::CancelEverything() {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto written = ::write(stopping_.get(), &one, sizeof one);
  watcher_.StopAll(StopReason::kServerStopping);
  idle_.Stop();  // closes the connections that wait between two requests
}

template <class Listen>
bool CancellingServer::Impl::Listening(Listen listen) {
  {
    std::lock_guard lock(listening_mutex_);
    if (stopped_) return false;
    ++listening_;
  }
  const bool listened = listen();
  watcher_.Halt();
  // Notified under the lock: once stop() sees the count, it may return and the server be
  // destroyed, so nothing here may touch it after the unlock.
  std::lock_guard lock(listening_mutex_);
  --listening_;
  ready_ = true;  // a listen() that failed wakes wait_until_ready() too
  listening_changed_.notify_all();
  return listened;
}

// cpp-httplib listens with a backlog of 128: a few thousand clients connecting at once overflow
// it, and each connection dropped there waits a second or more before its client tries again.
// Listening again sets a new backlog; the kernel caps it at net.core.somaxconn, the backlog Go's
// listeners ask for. Under the lock, so that stop() cannot close the socket, and its number be
// reused, in between.
void CancellingServer::Impl::WidenBacklog() {
  std::lock_guard lock(listening_mutex_);
  const socket_t sock = svr_sock_;
  if (stopped_ || sock == INVALID_SOCKET) return;
  // A failure leaves the socket listening with cpp-httplib's backlog.
  [[maybe_unused]] const int failed = ::listen(sock, std::numeric_limits<int>::max());
}

void CancellingServer::Impl::WaitUntilReady() {
  std::unique_lock lock(listening_mutex_);
  listening_changed_.wait(lock, [this] { return ready_ || stopped_; });
}

bool CancellingServer::Impl::Stop() {
  {
    std::lock_guard lock(listening_mutex_);
    stopped_ = true;
  }
  listening_changed_.notify_all();
  CancelEverything();
  httplib::Server::stop();                   // closes the listening socket: listen() ends
  if (current_server == this) return false;  // called by a handler: it cannot wait for itself
  std::unique_lock lock(listening_mutex_);
  const auto ended = [this] { return listening_ == 0; };
  if (grace_period == milliseconds::zero()) {
    listening_changed_.wait(lock, ended);
    return true;
  }
  if (listening_changed_.wait_for(lock, grace_period, ended)) return true;
  lock.unlock();
  ReportStopsIgnored();
  return false;
}

void CancellingServer::Impl::WaitUntilListenEnds() {
  std::unique_lock lock(listening_mutex_);
  listening_changed_.wait(lock, [this] { return listening_ == 0; });
}

void CancellingServer::Impl::ReportStopsIgnored() {
  const auto now = steady_clock::now();
  for (InFlight& in_flight : in_flight_) {
    std::lock_guard lock(in_flight.mutex);
    for (const RequestInFlight* request = in_flight.newest; request != nullptr; request = request->next) {
      Report({.kind = Event::Kind::kStopIgnored,
              .request = request->id,
              .when = now,
              .method = request->method,
              .path = request->path});
    }
  }
}

// ---- CancellingServer: each call goes to cpp-httplib's server, or to the settings ----------

CancellingServer::CancellingServer() : impl_(std::make_unique<Impl>()) {}

CancellingServer::~CancellingServer() {
  if (current_server == impl_.get()) {
    std::fputs("http_cancel: a handler destroyed the server that runs it: it cannot wait for itself\n", stderr);
    std::abort();
  }
  // A stop whose grace period ended still waits here: handlers use the server until they return.
  if (!impl_->Stop()) impl_->WaitUntilListenEnds();
}

void CancellingServer::AddRoute(const char* method, const std::string& pattern, Adapted handler) {
  auto wrapped = impl_->Wrap(std::move(handler));
  const std::string_view name = method;
  if (name == "GET")
    impl_->httplib::Server::Get(pattern, std::move(wrapped));
  else if (name == "POST")
    impl_->httplib::Server::Post(pattern, std::move(wrapped));
  else if (name == "PUT")
    impl_->httplib::Server::Put(pattern, std::move(wrapped));
  else if (name == "PATCH")
    impl_->httplib::Server::Patch(pattern, std::move(wrapped));
  else if (name == "DELETE")
    impl_->httplib::Server::Delete(pattern, std::move(wrapped));
  else
    impl_->httplib::Server::Options(pattern, std::move(wrapped));
}

CancellingServer& CancellingServer::set_request_timeout(milliseconds timeout) {
  impl_->request_timeout = timeout;
  return *this;
}

CancellingServer& CancellingServer::set_header_limits(milliseconds timeout, std::size_t max_bytes) {
  impl_->header_timeout = timeout;
  impl_->header_max_bytes = max_bytes;
  return *this;
}

CancellingServer& CancellingServer::set_thread_limits(std::size_t min_threads, std::size_t max_threads) {
  impl_->thread_limits.min_threads = min_threads;
  impl_->thread_limits.max_threads = max_threads;
  return *this;
}

CancellingServer& CancellingServer::set_thread_stack_size(std::size_t bytes) {
  const auto least = static_cast<std::size_t>(PTHREAD_STACK_MIN);
  if (bytes != 0 && bytes < least) {
    throw std::invalid_argument("set_thread_stack_size: " + std::to_string(bytes) +
                                " bytes is less than PTHREAD_STACK_MIN (" + std::to_string(least) +
                                "); 0 means the system's default");
  }
  try {
    WorkerPool::TryStackSize(bytes);
  } catch (const std::system_error& error) {
    throw std::invalid_argument("set_thread_stack_size: " + std::to_string(bytes) +
                                " bytes: this system cannot start a thread with that stack (" + error.what() + ")");
  }
  impl_->thread_limits.stack_size = bytes;
  return *this;
}

CancellingServer& CancellingServer::set_thread_per_connection_up_to(std::size_t connections) {
  impl_->thread_per_connection_up_to = connections;
  return *this;
}

CancellingServer& CancellingServer::set_shutdown_grace_period(milliseconds grace_period) {
  impl_->grace_period = grace_period;
  return *this;
}

CancellingServer& CancellingServer::set_event_listener(EventListener listener) {
  impl_->listener = std::move(listener);
  return *this;
}

CancellingServer& CancellingServer::set_pre_routing_handler(httplib::Server::HandlerWithResponse handler) {
  impl_->pre_routing = std::move(handler);
  return *this;
}

CancellingServer& CancellingServer::set_post_routing_handler(httplib::Server::Handler handler) {
  impl_->post_routing = std::move(handler);
  return *this;
}

CancellingServer& CancellingServer::set_error_handler(httplib::Server::Handler handler) {
  impl_->set_error_handler(std::move(handler));
  return *this;
}

CancellingServer& CancellingServer::set_exception_handler(httplib::Server::ExceptionHandler handler) {
  impl_->set_exception_handler(std::move(handler));
  return *this;
}

CancellingServer& CancellingServer::set_logger(httplib::Logger logger) {
  impl_->set_logger(std::move(logger));
  return *this;
}

CancellingServer& CancellingServer::set_default_headers(httplib::Headers headers) {
  impl_->set_default_headers(std::move(headers));
  return *this;
}

CancellingServer& CancellingServer::set_read_timeout(microseconds timeout) {
  impl_->set_read_timeout(static_cast<time_t>(timeout.count() / 1'000'000),
                          static_cast<time_t>(timeout.count() % 1'000'000));
  return *this;
}

CancellingServer& CancellingServer::set_write_timeout(microseconds timeout) {
  impl_->set_write_timeout(static_cast<time_t>(timeout.count() / 1'000'000),
                           static_cast<time_t>(timeout.count() % 1'000'000));
  return *this;
}

CancellingServer& CancellingServer::set_keep_alive_max_count(std::size_t count) {
  impl_->set_keep_alive_max_count(count);
  return *this;
}

CancellingServer& CancellingServer::set_keep_alive_timeout(seconds timeout) {
  impl_->set_keep_alive_timeout(static_cast<time_t>(timeout.count()));
  return *this;
}

CancellingServer& CancellingServer::set_payload_max_length(std::size_t length) {
  impl_->set_payload_max_length(length);
  return *this;
}

bool CancellingServer::set_mount_point(const std::string& mount_point, const std::string& dir) {
  return impl_->set_mount_point(mount_point, dir);
}

bool CancellingServer::bind_to_port(const std::string& host, int port, int socket_flags) {
  const bool bound = impl_->bind_to_port(host, port, socket_flags);
  if (bound) impl_->WidenBacklog();
  return bound;
}

int CancellingServer::bind_to_any_port(const std::string& host, int socket_flags) {
  const int port = impl_->bind_to_any_port(host, socket_flags);
  if (port > 0) impl_->WidenBacklog();
  return port;
}

bool CancellingServer::listen_after_bind() {
  return impl_->Listening([this] { return impl_->httplib::Server::listen_after_bind(); });
}

bool CancellingServer::listen(const std::string& host, int port, int socket_flags) {
  return impl_->Listening(
      [&] { return bind_to_port(host, port, socket_flags) && impl_->httplib::Server::listen_after_bind(); });
}

bool CancellingServer::is_running() const {
  return impl_->is_running();
}

void CancellingServer::wait_until_ready() const {
  impl_->WaitUntilReady();
}

bool CancellingServer::stop() {
  return impl_->Stop();
}

bool CancellingServer::ServeConnection(int socket) {
  return impl_->Serve(socket);
}

}  // namespace http_cancel
