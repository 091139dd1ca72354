// SocketStream is cpp-httplib's view of one connection. These tests are the client, at the
// other end of a socket pair.
#include "socket_stream.h"

#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <chrono>
#include <string>
#include <string_view>
#include <thread>

#include "test_connection.h"

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

// cpp-httplib sends a response's headers apart from a streamed body: the client must have
// them at once, not when the body's first piece is ready.
TEST_F(SocketStreamTest, SendsEachWriteAtOnce) {
  ReadARequest();

  Write(kHeaders);
  EXPECT_EQ(Received(), kHeaders);
  Write(kBody);
  EXPECT_EQ(Received(), kBody);
  EXPECT_FALSE(stream.TakeWritten().failed);
}

TEST_F(SocketStreamTest, SendsALargeWriteAtOnce) {
  ReadARequest();
  const std::string large(64 * 1024, 'x');

  Write(large);

  EXPECT_EQ(Received(), large);
}

// More than the socket's buffer holds: the stream waits for the client to take some, then
// sends the rest.
TEST_F(SocketStreamTest, WaitsForAFullBufferToDrainThenSendsTheRest) {
  ReadARequest();
  const std::string large(4 * 1024 * 1024, 'x');
  std::size_t received = 0;
  std::jthread client([&] {
    char buffer[64 * 1024];
    for (ssize_t n = 0;
         received < large.size() && (n = ::recv(connection.client.get(), buffer, sizeof buffer, 0)) > 0;) {
      received += static_cast<std::size_t>(n);
    }
  });

  for (std::size_t sent = 0; sent < large.size();) {
    const ssize_t n = stream.write(large.data() + sent, large.size() - sent);
    ASSERT_GE(n, 0) << "a write failed after " << sent << " bytes";
    sent += static_cast<std::size_t>(n);
  }
  client.join();

  EXPECT_EQ(received, large.size());
  EXPECT_FALSE(stream.TakeWritten().failed);
}

// A client that takes nothing holds the thread no longer than the write timeout.
TEST_F(SocketStreamTest, GivesUpOnAClientThatTakesNothingWithinTheWriteTimeout) {
  SocketStream quick{connection.server.get(), {.read = 1s, .write = 10ms}, stopping.get()};
  const std::string piece(64 * 1024, 'x');

  ssize_t n = 0;
  for (int pieces = 0; pieces < 1000 && (n = quick.write(piece.data(), piece.size())) >= 0; ++pieces) {
  }

  EXPECT_EQ(n, -1) << "1,000 writes of 64 KiB went into a socket nobody reads";
  EXPECT_TRUE(quick.TakeWritten().failed);
}

TEST_F(SocketStreamTest, SendsNothingWhenWritesAreRefused) {
  ReadARequest();

  stream.RefuseWritesWhen([] { return true; });

  EXPECT_EQ(stream.write(kHeaders.data(), kHeaders.size()), -1);
  EXPECT_EQ(Received(), "");
  EXPECT_TRUE(stream.TakeWritten().failed);
}

// Bytes read ahead (the next pipelined request) are there for the next read, without a wait.
TEST_F(SocketStreamTest, KeepsWhatItReadAheadForTheNextRead) {
  constexpr std::string_view two = "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n";
  ASSERT_EQ(::send(connection.client.get(), two.data(), two.size(), 0), static_cast<ssize_t>(two.size()));
  std::string first(two.size() / 2, '\0');
  ASSERT_EQ(stream.read(first.data(), first.size()), static_cast<ssize_t>(first.size()));

  EXPECT_TRUE(stream.is_readable());
  std::string second(two.size() / 2, '\0');
  ASSERT_EQ(stream.read(second.data(), second.size()), static_cast<ssize_t>(second.size()));
  EXPECT_EQ(second, "GET /2 HTTP/1.1\r\n\r\n");
  EXPECT_FALSE(stream.is_readable());
}

}  // namespace
}  // namespace http_cancel
