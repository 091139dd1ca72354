#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "http_cancel/pinned_httplib.h"

namespace http_cancel {

// cpp-httplib's view of one client connection, kept for the connection's whole life so that
// bytes read ahead (a pipelined request) are still there for the next request.
// Reads and waits give up as soon as `stopping` (an eventfd) becomes readable.
class SocketStream final : public httplib::Stream {
 public:
  struct Timeouts {
    std::chrono::microseconds read;
    std::chrono::microseconds write;
  };

  SocketStream(int socket, Timeouts timeouts, int stopping);

  // Waits up to `idle` for the client's next request; false when it closed, went quiet, or
  // the server is stopping.
  bool WaitForNextRequest(std::chrono::microseconds idle);

  // Until HeadersRead(), reads fail once the request line and headers have taken longer than
  // `within` or more than `max_bytes`: a client that trickles its headers (slowloris), or sends
  // headers without end, is turned away instead of holding a thread.
  void LimitHeaders(std::chrono::microseconds within, std::size_t max_bytes);
  void HeadersRead();

  // From now on nothing more is sent: the client is gone, or the response must not go out.
  // `refuse_writes` is asked before each write; the stream does not own what it refers to.
  void RefuseWritesWhen(std::function<bool()> refuse_writes);

  // Whether every write since the last call went out (cpp-httplib does not always tell),
  // and whether there was any.
  struct Written {
    bool anything = false;
    bool failed = false;
  };
  Written TakeWritten();

  // Each write goes out as it comes: cpp-httplib itself sends a response's headers and a
  // small body in one write, and a streamed body piece by piece.
  bool is_readable() const override;  // without waiting
  bool wait_readable() const override;
  bool wait_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override;
  time_t duration() const override;  // milliseconds since the connection was accepted
  void set_read_timeout(time_t sec, time_t usec) override;

 private:
  // Waits for `events` on the socket; false on timeout or error. Waits for reading give up
  // when the server is stopping; a response being written is let out.
  bool WaitFor(short events, std::chrono::microseconds timeout) const;
  bool WritesRefused() const;  // RefuseWritesWhen()'s condition holds now

  int socket_;
  Timeouts timeouts_;
  int stopping_;
  std::chrono::steady_clock::time_point accepted_ = std::chrono::steady_clock::now();
  std::function<bool()> refuse_writes_;
  Written written_;
  std::optional<std::chrono::steady_clock::time_point> headers_deadline_;
  std::size_t headers_bytes_left_ = 0;
  // Not zeroed: a page of it that no read reaches is never touched, and with a thread a
  // connection, a stream's untouched pages are memory the server does not take.
  std::array<char, 16 * 1024> buffer_;
  size_t buffered_begin_ = 0;
  size_t buffered_end_ = 0;
  std::string remote_ip_;
  int remote_port_ = -1;
  std::string local_ip_;
  int local_port_ = -1;
};

}  // namespace http_cancel
