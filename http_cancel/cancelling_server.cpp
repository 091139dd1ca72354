#include "cancelling_server.h"

#include <sys/eventfd.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <optional>
#include <system_error>
#include <utility>

#include "socket_stream.h"

namespace http_cancel {
namespace {

using namespace std::chrono;

// One request on its way through process_request(): its stop source, and its watch.
struct RequestInFlight {
  std::stop_source source;
  std::atomic<StopReason> reason{StopReason::kNone};  // set before `source` is stopped
  bool started = false;                              // its headers have been read
  std::optional<HangupWatcher::WatchId> watch;       // while its handler may run

  // Once the handler has returned, a hang-up cancels nothing any more.
  void StopWatching(HangupWatcher& watcher) {
    if (watch) watcher.Unwatch(*std::exchange(watch, std::nullopt));
  }
};

// The request this thread is serving. cpp-httplib runs a connection's requests, and their
// handlers, on one pool thread, and gives a handler no other way to reach our state.
thread_local RequestInFlight* current_request = nullptr;

microseconds ToMicroseconds(time_t seconds, time_t microseconds_part) {
  return duration_cast<microseconds>(std::chrono::seconds(seconds)) + microseconds(microseconds_part);
}

}  // namespace

CancellingServer::CancellingServer()
    : stopping_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      watcher_([this](StopReason reason, HangupWatcher::Clock::time_point when) { Report(Describe(reason), when); }) {
  if (!stopping_) throw std::system_error(errno, std::generic_category(), "eventfd");
  // cpp-httplib creates its task queue when listen() starts, and shuts it down when listen()
  // ends: that is where a stop, whoever asked for it, becomes visible here.
  new_task_queue = [this] {
    BeginServing();
    return new WorkerPool(thread_limits_, [this] { CancelEverything(); });
  };
  set_payload_max_length(1024 * 1024);  // cpp-httplib's default is 100 MiB
  httplib::Server::set_pre_routing_handler(
      [this](const httplib::Request& request, httplib::Response& response) {
        if (RefuseBadFraming(request, response) == HandlerResponse::Handled) return HandlerResponse::Handled;
        return pre_routing_ ? pre_routing_(request, response) : HandlerResponse::Unhandled;
      });
  set_tcp_nodelay(true);  // or a response in more than one write waits for a delayed ACK (40 ms)
  // Keep a handler's exception out of the answer, and say what happened: cpp-httplib's 500
  // has an empty body.
  set_exception_handler([](const httplib::Request&, httplib::Response& response, std::exception_ptr) {
    response.status = 500;
    response.set_content("internal server error\n", "text/plain");
  });
}

CancellingServer::~CancellingServer() { stop(); }

CancellingServer& CancellingServer::Get(const std::string& pattern, httplib::Server::Handler handler) {
  httplib::Server::Get(pattern, Plain(std::move(handler)));
  return *this;
}

CancellingServer& CancellingServer::Post(const std::string& pattern, httplib::Server::Handler handler) {
  httplib::Server::Post(pattern, Plain(std::move(handler)));
  return *this;
}

CancellingServer& CancellingServer::Get(const std::string& pattern, CancellableHandler handler) {
  httplib::Server::Get(pattern, Cancellable(std::move(handler)));
  return *this;
}

CancellingServer& CancellingServer::Post(const std::string& pattern, CancellableHandler handler) {
  httplib::Server::Post(pattern, Cancellable(std::move(handler)));
  return *this;
}

CancellingServer& CancellingServer::set_request_timeout(milliseconds timeout) {
  request_timeout_ = timeout;
  return *this;
}

CancellingServer& CancellingServer::set_header_limits(milliseconds timeout, std::size_t max_bytes) {
  header_timeout_ = timeout;
  header_max_bytes_ = max_bytes;
  return *this;
}

CancellingServer& CancellingServer::set_thread_limits(std::size_t min_threads, std::size_t max_threads) {
  thread_limits_.min_threads = min_threads;
  thread_limits_.max_threads = max_threads;
  return *this;
}

CancellingServer& CancellingServer::set_event_listener(EventListener listener) {
  listener_ = std::move(listener);
  return *this;
}

CancellingServer& CancellingServer::set_pre_routing_handler(HandlerWithResponse handler) {
  pre_routing_ = std::move(handler);
  return *this;
}

// cpp-httplib 0.53.1 refuses Transfer-Encoding with a Content-Length other than 0, and two
// different Content-Lengths; it accepts the rest, and waits for an over-limit body's bytes
// before it refuses them. Here each is answered before any of the body is read, and the
// connection closes after the answer (cpp-httplib sees the response's "Connection: close").
httplib::Server::HandlerResponse CancellingServer::RefuseBadFraming(const httplib::Request& request,
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

void CancellingServer::Report(std::string_view event, std::chrono::steady_clock::time_point when) const {
  if (listener_) listener_(event, when);
}

httplib::Server::Handler CancellingServer::Plain(httplib::Server::Handler handler) {
  return [this, handler = std::move(handler)](const httplib::Request& request, httplib::Response& response) {
    handler(request, response);
    if (current_request) current_request->StopWatching(watcher_);
  };
}

httplib::Server::Handler CancellingServer::Cancellable(CancellableHandler handler) {
  return [this, handler = std::move(handler)](const httplib::Request& request, httplib::Response& response) {
    RequestInFlight* in_flight = current_request;
    // Outside one of our connections there is nothing to cancel the request.
    const std::stop_token cancelled = in_flight ? in_flight->source.get_token() : std::stop_token{};
    handler(request, response, cancelled);
    if (in_flight) in_flight->StopWatching(watcher_);
    const bool wrote_nothing = response.status == -1 && response.body.empty();
    if (!in_flight || !cancelled.stop_requested() || !wrote_nothing) return;
    // The handler gave up without an answer. A client that is gone gets nothing (the stream
    // refuses to write); one that is still there learns why.
    switch (in_flight->reason.load()) {
      case StopReason::kDeadlineExceeded:
        response.status = 503;
        response.set_content("deadline exceeded\n", "text/plain");
        break;
      case StopReason::kServerStopping:  // the connection closes after this answer
        response.status = 503;
        response.set_content("server stopping\n", "text/plain");
        break;
      case StopReason::kClientGone:
      case StopReason::kNone:
        break;
    }
  };
}

bool CancellingServer::process_and_close_socket(socket_t sock) {
  SocketStream stream(sock,
                      {.read = ToMicroseconds(read_timeout_sec_, read_timeout_usec_),
                       .write = ToMicroseconds(write_timeout_sec_, write_timeout_usec_)},
                      stopping_.get());
  std::string remote_ip, local_ip;
  int remote_port = -1, local_port = -1;
  stream.get_remote_ip_and_port(remote_ip, remote_port);
  stream.get_local_ip_and_port(local_ip, local_port);
  bool served = false;
  for (std::size_t left = keep_alive_max_count_;
       left > 0 && stream.WaitForNextRequest(seconds(keep_alive_timeout_sec_)); --left) {
    RequestInFlight request;
    // Nothing is written to a client that is gone.
    stream.RefuseWritesWhen([&request] { return request.reason == StopReason::kClientGone; });
    bool connection_closed = false;
    current_request = &request;
    stream.LimitHeaders(header_timeout_, header_max_bytes_);
    served = process_request(stream, remote_ip, remote_port, local_ip, local_port, left == 1, connection_closed,
                             [&](httplib::Request& started) {
                               stream.HeadersRead();
                               Report("request received " + started.method + " " + started.path);
                               std::optional<HangupWatcher::Clock::time_point> deadline;
                               if (request_timeout_ > milliseconds::zero()) {
                                 deadline = HangupWatcher::Clock::now() + request_timeout_;
                               }
                               request.started = true;
                               request.watch = watcher_.Watch(sock, request.source, deadline, request.reason);
                             });
    current_request = nullptr;
    stream.RefuseWritesWhen(nullptr);
    if (!request.started) break;  // no request came: the client closed, or sent garbage
    request.StopWatching(watcher_);
    const auto written = stream.TakeWritten();
    const bool answered = served && written.anything && !written.failed;
    Report(answered ? "response written" : "response not written");
    if (!answered || connection_closed || request.reason == StopReason::kClientGone) break;
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return served;
}

void CancellingServer::BeginServing() {
  std::uint64_t drained = 0;
  [[maybe_unused]] auto read = ::read(stopping_.get(), &drained, sizeof drained);
  watcher_.Resume();
}

void CancellingServer::CancelEverything() {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto written = ::write(stopping_.get(), &one, sizeof one);
  watcher_.StopAll(StopReason::kServerStopping);
}

template <class Listen>
bool CancellingServer::Listening(Listen listen) {
  {
    std::lock_guard lock(listening_mutex_);
    ++listening_;
  }
  const bool listened = listen();
  // Notified under the lock: once stop() sees the count, it may return and the server be
  // destroyed, so nothing here may touch it after the unlock.
  std::lock_guard lock(listening_mutex_);
  --listening_;
  listening_changed_.notify_all();
  return listened;
}

bool CancellingServer::listen(const std::string& host, int port, int socket_flags) {
  return Listening([&] { return httplib::Server::listen(host, port, socket_flags); });
}

bool CancellingServer::listen_after_bind() {
  return Listening([this] { return httplib::Server::listen_after_bind(); });
}

void CancellingServer::stop() {
  CancelEverything();
  httplib::Server::stop();  // closes the listening socket: listen() ends
  if (current_request != nullptr) return;  // called by a handler: it cannot wait for itself
  std::unique_lock lock(listening_mutex_);
  listening_changed_.wait(lock, [this] { return listening_ == 0; });
}

}  // namespace http_cancel
