#include "http_cancel/test/loopback_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <system_error>

namespace http_cancel::test {

std::string ToText(std::chrono::milliseconds patience) {
  if (patience.count() % 1000 == 0) return std::to_string(patience.count() / 1000) + " s";
  return std::to_string(patience.count()) + " ms";
}

Client::Client(int port) : socket_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
  if (!socket_) throw std::system_error(errno, std::generic_category(), "socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(socket_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    throw std::system_error(errno, std::generic_category(), "connect to 127.0.0.1:" + std::to_string(port));
  }
}

void Client::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const auto sent = ::send(socket_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "send");
    }
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
}

void Client::Get(std::string_view target) {
  Send("GET " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
}

Reply::operator testing::AssertionResult() const {
  if (!has_value()) return testing::AssertionFailure() << why_none_;
  return testing::AssertionSuccess() << "a response came: status " << value().status << ", body \"" << value().body
                                     << '"';
}

bool Client::Receive(std::chrono::steady_clock::time_point deadline, std::string& why_not) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  pollfd readable{.fd = socket_.get(), .events = POLLIN, .revents = 0};
  const int ready = ::poll(&readable, 1, static_cast<int>(std::max<long long>(left.count(), 0)));
  char buffer[16 * 1024];
  const auto n = ready > 0 ? ::recv(socket_.get(), buffer, sizeof buffer, 0) : -1;
  const int error = errno;
  if (n > 0) {
    received_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }
  const std::string sent =
      received_.empty() ? "sent nothing" : "sent " + std::to_string(received_.size()) + " bytes, not a whole response";
  if (ready == 0) {
    why_not = "the server " + sent + " and kept the connection open";
  } else if (n == 0) {
    why_not = "the server " + sent + " and closed the connection";
  } else {
    why_not = "the server " + sent + "; then " + std::system_error(error, std::generic_category()).what();
  }
  return false;
}

Reply Client::Read(std::chrono::milliseconds patience) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  std::string why_not;
  const auto none = [&] { return Reply("no response within " + ToText(patience) + ": " + why_not); };
  std::size_t header_end = 0;
  while ((header_end = received_.find("\r\n\r\n")) == std::string::npos) {
    if (!Receive(deadline, why_not)) return none();
  }
  const std::string_view head(received_.data(), header_end);
  Response response;
  // "HTTP/1.1 200 OK"
  const auto status_at = head.find(' ') + 1;
  std::from_chars(head.data() + status_at, head.data() + head.size(), response.status);
  std::size_t length = 0;
  for (std::string_view name : {"\r\nContent-Length: ", "\r\ncontent-length: "}) {
    if (const auto at = head.find(name); at != std::string_view::npos) {
      const auto digits = at + name.size();
      std::from_chars(head.data() + digits, head.data() + head.size(), length);
    }
  }
  const std::size_t body_begin = header_end + 4;
  while (received_.size() < body_begin + length) {
    if (!Receive(deadline, why_not)) return none();
  }
  response.body = received_.substr(body_begin, length);
  received_.erase(0, body_begin + length);  // what is left belongs to the next response
  return response;
}

testing::AssertionResult Client::ClosedByServer(std::chrono::milliseconds patience) {
  if (!received_.empty()) {
    return testing::AssertionFailure() << "the server sent " << received_.size() << " bytes more than it was read";
  }
  pollfd readable{.fd = socket_.get(), .events = POLLIN, .revents = 0};
  if (::poll(&readable, 1, static_cast<int>(patience.count())) <= 0) {
    return testing::AssertionFailure() << "the server kept the connection open for " << ToText(patience);
  }
  char byte = 0;
  if (::recv(socket_.get(), &byte, 1, 0) > 0) return testing::AssertionFailure() << "the server sent more bytes";
  return testing::AssertionSuccess() << "the server closed the connection";
}

void Client::HangUp() {
  socket_.Reset();
}

void Client::StopSending() {
  ::shutdown(socket_.get(), SHUT_WR);
}

}  // namespace http_cancel::test
