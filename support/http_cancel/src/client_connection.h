#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "socket_stream.h"

namespace http_cancel {

// One accepted client connection, from accept to close, whichever thread serves it: its
// stream (with any bytes read ahead), and what cpp-httplib asks of it for every request.
struct ClientConnection {
  ClientConnection(int sock, std::uint64_t connection_id, SocketStream::Timeouts timeouts, int stopping,
                   std::size_t max_requests)
      : socket(sock), id(connection_id), stream(sock, timeouts, stopping), requests_left(max_requests) {
    stream.get_remote_ip_and_port(remote_ip, remote_port);
    stream.get_local_ip_and_port(local_ip, local_port);
  }
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  const int socket;
  const std::uint64_t id;  // the idle set knows it by this, never by its socket's number
  SocketStream stream;
  std::string remote_ip;
  int remote_port = -1;
  std::string local_ip;
  int local_port = -1;
  std::size_t requests_left;             // keep-alive's maximum count
  bool waited_without_a_thread = false;  // registered in the idle set: it must forget it
};

}  // namespace http_cancel
