#include "socket_stream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace http_cancel {
namespace {

// A response's status line and headers fit; anything larger goes out at once.
constexpr std::size_t kMostHeld = 8 * 1024;

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
  std::array<pollfd, 2> fds{{{.fd = socket_, .events = events, .revents = 0},
                             {.fd = stopping_, .events = POLLIN, .revents = 0}}};
  for (;;) {
    const int ready = ::poll(fds.data(), reading ? 2 : 1, ToPollTimeout(timeout));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0 || fds[1].revents != 0) return false;
    // POLLHUP/POLLERR count as ready: the read or write that follows reports the error.
    return fds[0].revents != 0;
  }
}

bool SocketStream::WaitForNextRequest(std::chrono::microseconds idle) {
  Flush();
  return buffered_begin_ < buffered_end_ || WaitFor(POLLIN, idle);
}

void SocketStream::RefuseWritesWhen(std::function<bool()> refuse_writes) {
  refuse_writes_ = std::move(refuse_writes);
}

bool SocketStream::is_readable() const {
  Flush();
  return buffered_begin_ < buffered_end_ || WaitFor(POLLIN, timeouts_.read);
}

bool SocketStream::is_writable() const {
  return !(refuse_writes_ && refuse_writes_()) && WaitFor(POLLOUT, timeouts_.write);
}

void SocketStream::LimitHeaders(std::chrono::microseconds within, std::size_t max_bytes) {
  headers_deadline_ = std::chrono::steady_clock::now() + within;
  headers_bytes_left_ = max_bytes;
}

void SocketStream::HeadersRead() { headers_deadline_.reset(); }

ssize_t SocketStream::read(char* ptr, size_t size) {
  Flush();
  may_hold_ = true;
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
  if (refuse_writes_ && refuse_writes_()) {
    held_.clear();
    written_.failed = true;
    return -1;
  }
  if (std::exchange(may_hold_, false) && held_.empty() && size <= kMostHeld) {
    held_.assign(ptr, size);
    return static_cast<ssize_t>(size);
  }
  return Send(ptr, size);
}

void SocketStream::Flush() const {
  may_hold_ = false;
  if (held_.empty()) return;
  if (refuse_writes_ && refuse_writes_()) {
    held_.clear();
    written_.failed = true;
    return;
  }
  Send(nullptr, 0);
}

ssize_t SocketStream::Send(const char* data, size_t size) const {
  // No poll first: the socket blocks for at most the write timeout (cpp-httplib sets
  // SO_SNDTIMEO on every connection it accepts).
  for (;;) {
    std::array<iovec, 2> parts{{{.iov_base = held_.data(), .iov_len = held_.size()},
                                {.iov_base = const_cast<char*>(data), .iov_len = size}}};
    const bool holding = !held_.empty();
    msghdr message{};
    message.msg_iov = holding ? parts.data() : parts.data() + 1;
    message.msg_iovlen = holding ? 2 : 1;
    const ssize_t sent = ::sendmsg(socket_, &message, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 || (sent == 0 && held_.size() + size > 0)) {
      held_.clear();
      written_.failed = true;
      return -1;
    }
    const auto sent_bytes = static_cast<size_t>(sent);
    if (sent_bytes >= held_.size()) {
      const auto of_data = sent_bytes - held_.size();
      held_.clear();
      return static_cast<ssize_t>(of_data);
    }
    held_.erase(0, sent_bytes);  // a partial send, cut short by the write timeout: go on
  }
}

SocketStream::Written SocketStream::TakeWritten() { return std::exchange(written_, Written{}); }

void SocketStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  ip = remote_ip_;
  port = remote_port_;
}

void SocketStream::get_local_ip_and_port(std::string& ip, int& port) const {
  ip = local_ip_;
  port = local_port_;
}

socket_t SocketStream::socket() const { return socket_; }

}  // namespace http_cancel
