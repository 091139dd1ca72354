#pragma once

#include <httplib.h>

#include <functional>
#include <stop_token>

#include "store.h"

// A handler for one request. `cancelled` is stop-requested when the request is cancelled:
// C++'s r.Context().Done().
using CancellableHandler =
    std::function<void(const httplib::Request&, httplib::Response&, std::stop_token cancelled)>;

// Server returns the handler for a request: it answers with what `store` fetches.
// `store` must outlive the handler.
CancellableHandler Server(Store& store);
