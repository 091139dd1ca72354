#pragma once

#include <sys/socket.h>

#include <stdexcept>

#include "http_cancel/unique_fd.h"

namespace http_cancel {

// Two connected sockets, for tests: the server's end, and the client's.
struct Connection {
  Connection() {
    int ends[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) throw std::runtime_error("socketpair");
    server = UniqueFd(ends[0]);
    client = UniqueFd(ends[1]);
  }
  UniqueFd server;
  UniqueFd client;
};

}  // namespace http_cancel
