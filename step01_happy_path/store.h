#pragma once

#include <string>

// Store fetches the data a request asks for. Fetching can take a long time.
class Store {
 public:
  virtual ~Store() = default;
  virtual std::string Fetch() = 0;
};
