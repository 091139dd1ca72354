#pragma once

#include <string>

// Store fetches the data a request asks for. Fetching can take a long time.
class Store {
 public:
  virtual ~Store() = default;
  virtual std::string Fetch() = 0;
  // Cancel asks the store to stop the work it is doing.
  virtual void Cancel() = 0;
};
