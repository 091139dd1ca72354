#pragma once

#include <charconv>
#include <optional>
#include <string_view>

namespace bench {

// `text` as a whole number of at least `min`; nullopt for anything else ("12x", "-1", "").
inline std::optional<int> ToCount(std::string_view text, int min) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value < min) return std::nullopt;
  return value;
}

// The arguments of a program that takes only `[FLAG N]`: N (at least 1), `fallback` when
// there are none, nullopt when they are anything else.
inline std::optional<int> OnlyCountArgument(int argc, char* argv[], std::string_view flag, int fallback) {
  if (argc == 1) return fallback;
  if (argc != 3 || std::string_view(argv[1]) != flag) return std::nullopt;
  return ToCount(argv[2], 1);
}

}  // namespace bench
