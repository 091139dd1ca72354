// SocketStream is cpp-httplib's view of one connection. These tests are the client, at the
// other end of a socket pair.
#include "http_cancel/socket_stream.h"

#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <chrono>
#include <string>
#include <string_view>

#include "http_cancel/test_connection.h"

namespace http_cancel {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kHeaders = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n";
constexpr std::string_view kBody = "hello, world";

class SocketStreamTest : public ::testing::Test {
 protected:
  // The client sends a request, and the stream reads it: from then on, it answers.
  void ReadARequest() {
    constexpr std::string_view request = "GET / HTTP/1.1\r\n\r\n";
    ASSERT_EQ(::send(connection.client.get(), request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
    std::string read(request.size(), '\0');
    ASSERT_EQ(stream.read(read.data(), read.size()), static_cast<ssize_t>(request.size()));
  }

  void Write(std::string_view bytes) {
    ASSERT_EQ(stream.write(bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }

  // Everything the client has been sent so far, without waiting: a socket pair delivers a
  // send before it returns.
  std::string Received() {
    std::string received;
    char buffer[16 * 1024];
    for (ssize_t n = 0; (n = ::recv(connection.client.get(), buffer, sizeof buffer, MSG_DONTWAIT)) > 0;) {
      received.append(buffer, static_cast<std::size_t>(n));
    }
    return received;
  }

  Connection connection;
  UniqueFd stopping{::eventfd(0, EFD_CLOEXEC)};
  SocketStream stream{connection.server.get(), {.read = 1s, .write = 1s}, stopping.get()};
};

TEST_F(SocketStreamTest, HoldsAResponsesHeadersUntilItsBodyThenSendsBothTogether) {
  ReadARequest();

  Write(kHeaders);
  EXPECT_EQ(Received(), "");
  Write(kBody);
  EXPECT_EQ(Received(), std::string(kHeaders) + std::string(kBody));
  EXPECT_FALSE(stream.TakeWritten().failed);
}

TEST_F(SocketStreamTest, SendsAResponseWithoutBodyWhenTheRequestEnds) {
  ReadARequest();

  Write("HTTP/1.1 204 No Content\r\n\r\n");
  stream.Flush();

  EXPECT_EQ(Received(), "HTTP/1.1 204 No Content\r\n\r\n");
}

// A client that asks "Expect: 100-continue" sends its body only once it has that answer.
TEST_F(SocketStreamTest, SendsWhatItHoldsBeforeItReadsAgain) {
  ReadARequest();
  Write("HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_EQ(::send(connection.client.get(), "body", 4, 0), 4);

  char body[4];
  ASSERT_EQ(stream.read(body, sizeof body), 4);

  EXPECT_EQ(Received(), "HTTP/1.1 100 Continue\r\n\r\n");
}

// A streamed body goes out as it comes: only the headers wait, for its first piece.
TEST_F(SocketStreamTest, HoldsNothingAfterTheHeaders) {
  ReadARequest();
  Write(kHeaders);

  Write("hello, ");
  EXPECT_EQ(Received(), std::string(kHeaders) + "hello, ");
  Write("world");
  EXPECT_EQ(Received(), "world");
}

TEST_F(SocketStreamTest, SendsALargeFirstWriteAtOnce) {
  ReadARequest();
  const std::string large(64 * 1024, 'x');

  Write(large);

  EXPECT_EQ(Received(), large);
}

TEST_F(SocketStreamTest, DropsWhatItHoldsWhenWritesAreRefused) {
  ReadARequest();
  Write(kHeaders);

  stream.RefuseWritesWhen([] { return true; });
  stream.Flush();

  EXPECT_EQ(Received(), "");
  EXPECT_TRUE(stream.TakeWritten().failed);
}

}  // namespace
}  // namespace http_cancel
