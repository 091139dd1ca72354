#include "options.h"

#include <gtest/gtest.h>

#include <vector>

namespace demo_server {
namespace {

std::expected<Options, std::string> Parse(std::vector<const char*> arguments) {
  return ParseOptions(arguments);
}

TEST(Options, DefaultsToLoopbackAnyPortTwoSecondFetchesAndNoDeadline) {
  const auto options = Parse({});
  ASSERT_TRUE(options);
  EXPECT_EQ(options->host, "127.0.0.1");
  EXPECT_EQ(options->port, 0);
  EXPECT_EQ(options->fetch_time, std::chrono::milliseconds(2000));
  EXPECT_EQ(options->request_timeout, std::chrono::milliseconds(0));
}

TEST(Options, ReadsEveryFlagInBothSpellings) {
  const auto options =
      Parse({"--host", "::1", "--port=8080", "--fetch-ms", "50", "--max-threads=64", "--timeout-ms", "900"});
  ASSERT_TRUE(options) << options.error();
  EXPECT_EQ(options->host, "::1");
  EXPECT_EQ(options->port, 8080);
  EXPECT_EQ(options->fetch_time, std::chrono::milliseconds(50));
  EXPECT_EQ(options->max_threads, 64u);
  EXPECT_EQ(options->request_timeout, std::chrono::milliseconds(900));
}

TEST(Options, SaysWhatIsWrongWithABadFlag) {
  EXPECT_EQ(Parse({"--colour", "red"}).error(), "unknown flag: --colour");
  EXPECT_EQ(Parse({"--port"}).error(), "--port needs a value");
  EXPECT_EQ(Parse({"--port", "http"}).error(), "--port takes a number from 0 to 65535, not 'http'");
  EXPECT_EQ(Parse({"--port", "65536"}).error(), "--port takes a number from 0 to 65535, not '65536'");
  EXPECT_EQ(Parse({"--fetch-ms", "-1"}).error(), "--fetch-ms takes milliseconds from 0 to 86400000, not '-1'");
  EXPECT_EQ(Parse({"--host="}).error(), "--host needs an address");
  EXPECT_EQ(Parse({"--max-threads", "0"}).error(), "--max-threads takes a number from 1 to 100000, not '0'");
  EXPECT_EQ(Parse({"--timeout-ms", "soon"}).error(), "--timeout-ms takes milliseconds from 0 to 86400000, not 'soon'");
}

}  // namespace
}  // namespace demo_server
