#pragma once

#include <string>
#include <utility>

#include "store.h"

// StubStore answers every fetch at once, with the same data.
class StubStore : public Store {
 public:
  explicit StubStore(std::string response) : response_(std::move(response)) {}

  std::string Fetch() override { return response_; }

 private:
  std::string response_;
};
