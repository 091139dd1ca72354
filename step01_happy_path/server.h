#pragma once

#include <httplib.h>

#include "store.h"

// Server returns the handler for a request: it answers with what `store` fetches.
// `store` must outlive the handler.
httplib::Server::Handler Server(Store& store);
