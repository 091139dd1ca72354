#include "socket_stream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace http_cancel {
namespace {

int ToPollTimeout(std::chrono::microseconds timeout) {
  return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(timeout).count());
}

void Describe(const sockaddr_storage& address, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    ::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    port = ntohs(v4.sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    port = ntohs(v6.sin6_port);
  }
  ip = text;
}

}  // namespace

SocketStream::SocketStream(int socket, Timeouts timeouts, int stopping)
    : socket_(socket), timeouts_(timeouts), stopping_(stopping) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getpeername(socket_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    Describe(address, remote_ip_, remote_port_);
  }
  length = sizeof address;
  if (::getsockname(socket_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    Describe(address, local_ip_, local_port_);
  }
}

bool SocketStream::WaitFor(short events, std::chrono::microseconds timeout) const {
  const bool reading = (events & POLLIN) != 0;
  std::array<pollfd, 2> fds{
      {{.fd = socket_, .events = events, .revents = 0}, {.fd = stopping_, .events = POLLIN, .revents = 0}}};
  for (;;) {
    const int ready = ::poll(fds.data(), reading ? 2 : 1, ToPollTimeout(timeout));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0 || fds[1].revents != 0) return false;
    // POLLHUP/POLLERR count as ready: the read or write that follows reports the error.
    return fds[0].revents != 0;
  }
}

bool SocketStream::WaitForNextRequest(std::chrono::microseconds idle) {
  return is_readable() || WaitFor(POLLIN, idle);
}

void SocketStream::RefuseWritesWhen(std::function<bool()> refuse_writes) {
  refuse_writes_ = std::move(refuse_writes);
}

bool SocketStream::is_readable() const {
  return buffered_begin_ < buffered_end_;
}

bool SocketStream::wait_readable() const {
  return is_readable() || WaitFor(POLLIN, timeouts_.read);
}

bool SocketStream::WritesRefused() const {
  return refuse_writes_ && refuse_writes_();
}

bool SocketStream::wait_writable() const {
  return !WritesRefused() && WaitFor(POLLOUT, timeouts_.write);
}

void SocketStream::LimitHeaders(std::chrono::microseconds within, std::size_t max_bytes) {
  headers_deadline_ = std::chrono::steady_clock::now() + within;
  headers_bytes_left_ = max_bytes;
}

void SocketStream::HeadersRead() {
  headers_deadline_.reset();
}

ssize_t SocketStream::read(char* ptr, size_t size) {
  if (headers_deadline_) {
    if (headers_bytes_left_ == 0) return -1;
    size = std::min(size, headers_bytes_left_);
  }
  if (buffered_begin_ == buffered_end_) {
    // cpp-httplib reads request lines a byte at a time: one recv() fills the buffer for many.
    // Bytes that are there already are taken at once; only then is there something to wait for.
    ssize_t received = 0;
    do {
      received = ::recv(socket_, buffer_.data(), buffer_.size(), MSG_DONTWAIT);
    } while (received < 0 && errno == EINTR);
    if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // Only a wait takes time, so only here is the clock read: cpp-httplib calls read() for
      // every byte of a request's headers.
      auto timeout = timeouts_.read;
      if (headers_deadline_) {
        const auto left =
            std::chrono::ceil<std::chrono::microseconds>(*headers_deadline_ - std::chrono::steady_clock::now());
        if (left <= std::chrono::microseconds::zero()) return -1;
        timeout = std::min(timeout, left);
      }
      if (!WaitFor(POLLIN, timeout)) return -1;
      do {
        received = ::recv(socket_, buffer_.data(), buffer_.size(), MSG_DONTWAIT);
      } while (received < 0 && errno == EINTR);
    }
    if (received <= 0) return received;
    buffered_begin_ = 0;
    buffered_end_ = static_cast<size_t>(received);
  }
  const size_t n = std::min(size, buffered_end_ - buffered_begin_);
  std::memcpy(ptr, buffer_.data() + buffered_begin_, n);
  buffered_begin_ += n;
  if (headers_deadline_) headers_bytes_left_ -= n;
  return static_cast<ssize_t>(n);
}

ssize_t SocketStream::write(const char* ptr, size_t size) {
  written_.anything = true;
  if (WritesRefused()) {
    written_.failed = true;
    return -1;
  }
  const auto send = [&] {
    ssize_t sent = 0;
    do {
      sent = ::send(socket_, ptr, size, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (sent < 0 && errno == EINTR);
    return sent;
  };
  // A response usually fits in the socket's buffer: it is sent at once, and only a full buffer
  // is waited for (one system call less a response than polling first).
  ssize_t sent = send();
  if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    if (!WaitFor(POLLOUT, timeouts_.write)) {
      written_.failed = true;
      return -1;
    }
    sent = send();
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;  // full again: cpp-httplib writes again
  }
  if (sent < 0) written_.failed = true;
  return sent;
}

SocketStream::Written SocketStream::TakeWritten() {
  return std::exchange(written_, Written{});
}

void SocketStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  ip = remote_ip_;
  port = remote_port_;
}

void SocketStream::get_local_ip_and_port(std::string& ip, int& port) const {
  ip = local_ip_;
  port = local_port_;
}

socket_t SocketStream::socket() const {
  return socket_;
}

time_t SocketStream::duration() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - accepted_).count();
}

void SocketStream::set_read_timeout(time_t sec, time_t usec) {
  timeouts_.read = std::chrono::seconds(sec) + std::chrono::microseconds(usec);
}

}  // namespace http_cancel
