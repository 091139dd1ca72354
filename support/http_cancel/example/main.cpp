// A small service on http_cancel: a slow report that stops when its client leaves, an echo
// that takes a body, and a delete. SIGINT or SIGTERM stops it; requests in flight get 503.
//   ./slow_service [port]    (0, the default: any free port; it prints the one it took)
#include <http_cancel/cancelling_server.h>
#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

using namespace std::chrono_literals;

// Three seconds of work that end early when the request is cancelled.
void WriteReport(const httplib::Request&, httplib::Response& response, const http_cancel::Cancellation& cancellation) {
  std::mutex mutex;
  std::condition_variable_any never_notified;
  std::unique_lock lock(mutex);
  never_notified.wait_for(lock, cancellation.token(), 3s, [] { return false; });
  if (cancellation.stop_requested()) {
    std::printf("report stopped: %s\n", http_cancel::Describe(cancellation.reason()));
    return;  // nothing written: a client still there gets 503, one that left gets nothing
  }
  response.set_content("report ready\n", "text/plain");
}

int main(int argc, char* argv[]) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // a line at a time, even into a pipe
  // Before any thread starts: every thread takes this mask, so the stop signals reach only
  // sigwait() below, never a thread of the server's.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  http_cancel::CancellingServer server;
  server.Get("/report", WriteReport)
      .Post("/echo", [](const httplib::Request& request,
                        httplib::Response& response) { response.set_content(request.body, "text/plain"); })
      .Delete("/items/:id",
              [](const httplib::Request& request, httplib::Response& response, std::stop_token) {
                response.set_content("deleted " + request.path_params.at("id") + "\n", "text/plain");
              })
      .set_request_timeout(10s)
      .set_shutdown_grace_period(5s)
      .set_event_listener([](const http_cancel::Event& event) {
        std::printf("#%llu %s\n", static_cast<unsigned long long>(event.request), http_cancel::ToText(event).c_str());
      });

  int port = argc > 1 ? std::atoi(argv[1]) : 0;
  const bool bound =
      port == 0 ? (port = server.bind_to_any_port("127.0.0.1")) > 0 : server.bind_to_port("127.0.0.1", port);
  if (!bound) {
    std::fprintf(stderr, "cannot listen on 127.0.0.1:%s\n", argc > 1 ? argv[1] : "0");
    return 1;
  }
  std::printf("listening on http://127.0.0.1:%d\n", port);
  std::jthread listening([&server] { server.listen_after_bind(); });

  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::printf("stopping\n");
  if (!server.stop()) {  // a handler ignored its token for the whole grace period
    std::printf("handlers still running: exiting without them\n");
    std::quick_exit(EXIT_FAILURE);  // no destructors: the server would wait for them
  }
  std::printf("stopped\n");
}
