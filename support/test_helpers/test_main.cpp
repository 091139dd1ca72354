// The main() of the steps' test programs: GoogleTest and GoogleMock, and a watchdog that ends
// a test that hangs, saying which test and what it was waiting for (support/test_helpers/watchdog.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "support/test_helpers/watchdog.h"

namespace {

// Tells the watchdog which test runs, and runs the watchdog while the tests do.
class Watchdog : public testing::EmptyTestEventListener {
  void OnTestProgramStart(const testing::UnitTest&) override { watching_ = std::jthread(watchdog::Watch); }
  void OnTestStart(const testing::TestInfo& test) override {
    watchdog::TestStarted(std::string(test.test_suite_name()) + "." + test.name());
  }
  void OnTestEnd(const testing::TestInfo&) override { watchdog::TestEnded(); }
  void OnTestProgramEnd(const testing::UnitTest&) override { watching_ = {}; }  // stops and joins it

  std::jthread watching_;
};

}  // namespace

int main(int argc, char** argv) {
  testing::InitGoogleMock(&argc, argv);
  testing::UnitTest::GetInstance()->listeners().Append(new Watchdog);  // GoogleTest owns it
  return RUN_ALL_TESTS();
}
