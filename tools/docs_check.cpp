// Keeps docs/ honest: every code block that says where it comes from is that code, and every
// link between pages leads somewhere.
//
//   docs_check ROOT            checks; exits 1 and says what differs
//   docs_check ROOT --update   rewrites the blocks from their sources
//
// A block names its source on the line before its opening fence:
//   <!-- include: step03_cancel/server.cpp -->                       the whole file
//   <!-- include: step03_cancel/server_test.cpp TEST(Server, Returns -->  one definition
// A definition starts at the first line that begins with the given text (with the comment
// lines just above it) and ends at the next line that is "}" or "};".
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::vector<std::string> ReadLines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string Join(const std::vector<std::string>& lines, std::size_t begin, std::size_t end) {
  std::string text;
  for (std::size_t i = begin; i < end; ++i) text += lines[i] + "\n";
  return text;
}

// The text a block should show, or an error.
std::optional<std::string> Source(const fs::path& root, const std::string& spec, std::string& error) {
  const auto space = spec.find(' ');
  const fs::path file = root / spec.substr(0, space);
  if (!fs::is_regular_file(file)) {
    error = "no such file: " + file.lexically_relative(root).string();
    return std::nullopt;
  }
  const auto lines = ReadLines(file);
  if (space == std::string::npos) return Join(lines, 0, lines.size());
  const std::string start = spec.substr(space + 1);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!lines[i].starts_with(start)) continue;
    std::size_t begin = i;
    while (begin > 0 && lines[begin - 1].starts_with("//")) --begin;
    for (std::size_t end = i; end < lines.size(); ++end) {
      if (lines[end] == "}" || lines[end] == "};") return Join(lines, begin, end + 1);
    }
    break;
  }
  error = "no definition starting with \"" + start + "\" in " + spec.substr(0, space);
  return std::nullopt;
}

struct Counts {
  int blocks = 0;
  int links = 0;
  int problems = 0;
};

void CheckPage(const fs::path& root, const fs::path& page, bool update, Counts& counts) {
  static const std::regex include(R"(^<!-- include: (.+?) -->$)");
  static const std::regex link(R"(\]\(([^)#\s]+)(#[^)\s]*)?\))");
  const auto lines = ReadLines(page);
  const std::string name = page.lexically_relative(root).string();
  std::vector<std::string> out;
  bool in_fence = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    out.push_back(line);
    if (line.starts_with("```")) in_fence = !in_fence;
    if (in_fence) continue;
    for (std::sregex_iterator it(line.begin(), line.end(), link), end; it != end; ++it) {
      const std::string target = (*it)[1];
      if (target.find("://") != std::string::npos || target.starts_with("mailto:")) continue;
      ++counts.links;
      if (!fs::exists(page.parent_path() / target)) {
        std::printf("%s:%zu: the link to %s leads nowhere\n", name.c_str(), i + 1, target.c_str());
        ++counts.problems;
      }
    }
    std::smatch match;
    if (!std::regex_match(line, match, include)) continue;
    if (i + 1 >= lines.size() || !lines[i + 1].starts_with("```")) {
      std::printf("%s:%zu: an include must be followed by a code block\n", name.c_str(), i + 1);
      ++counts.problems;
      continue;
    }
    std::size_t close = i + 2;
    while (close < lines.size() && !lines[close].starts_with("```")) ++close;
    std::string error;
    const auto expected = Source(root, match[1], error);
    ++counts.blocks;
    if (!expected) {
      std::printf("%s:%zu: %s\n", name.c_str(), i + 1, error.c_str());
      ++counts.problems;
      continue;
    }
    const std::string shown = Join(lines, i + 2, close);
    if (shown != *expected && !update) {
      std::printf("%s:%zu: the block differs from %s (docs_check ROOT --update rewrites it)\n", name.c_str(),
                  i + 1, std::string(match[1]).c_str());
      ++counts.problems;
    }
    out.push_back(lines[i + 1]);
    std::istringstream text(*expected);
    for (std::string source_line; std::getline(text, source_line);) out.push_back(source_line);
    in_fence = true;  // the closing fence, copied next, closes it
    i = close - 1;
  }
  if (update) {
    std::ofstream rewritten(page);
    for (const auto& line : out) rewritten << line << "\n";
  }
}

}  // namespace

int main(int argc, char* argv[]) {
  if (argc < 2 || argc > 3 || (argc == 3 && std::string(argv[2]) != "--update")) {
    std::fprintf(stderr, "usage: %s ROOT [--update]\n", argv[0]);
    return 2;
  }
  const fs::path root = fs::weakly_canonical(argv[1]);
  const bool update = argc == 3;
  Counts counts;
  std::vector<fs::path> pages;
  for (const auto& entry : fs::recursive_directory_iterator(root / "docs")) {
    if (entry.path().extension() == ".md") pages.push_back(entry.path());
  }
  pages.push_back(root / "README.md");
  for (const auto& page : pages) CheckPage(root, page, update, counts);
  std::printf("%zu pages: %d code blocks %s, %d links checked, %d problems\n", pages.size(), counts.blocks,
              update ? "rewritten from their sources" : "match their sources", counts.links, counts.problems);
  return counts.problems == 0 ? 0 : 1;
}
