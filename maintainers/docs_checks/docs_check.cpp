// Keeps docs/ (and the READMEs of the root, support/, support/http_cancel/ and maintainers/)
// honest: every code block that says where it comes from is that code, every other C++ block
// is compiled, every figure the prose gives about the steps is measured, and every link
// between pages leads somewhere.
//
//   docs_check ROOT [--update] [--worktree]   checks; exits 1 and says what differs
//                                             (--update rewrites blocks and figures)
//   docs_check ROOT --apply PAGE DEST [N]     writes PAGE's code into the steps under DEST
//                                             (before its N-th "run:" block, or all of it)
//   docs_check ROOT --runs PAGE               lists PAGE's "run:" blocks, one a line
//   docs_check ROOT --snippets DEST           writes every "compile:" block into DEST
//   (maintainers/docs_checks/check_pages uses the last three: a learner who follows a page reaches green)
//
// The step folders' code is read from git's HEAD, the reference solution, whatever the
// working tree holds (a learner's own solution in kata mode); outside a git checkout, or
// with --worktree (a maintainer changing a step before committing), from the working tree.
//
// Markers, on the line before a block's opening fence:
//   <!-- include: step03_cancel/server.cpp -->                          the whole file
//   <!-- include: step03_cancel/server_test.cpp TEST(Server, Returns --> one definition
//   <!-- include: kata/hints/step03_cancel.md -->   a Markdown file, as Markdown: the lines up to
//                                                   <!-- /include --> are that file
//   <!-- write: step02_spy_store/server.cpp -->     what the learner writes on the way, not the
//                                                   reference: applied and tested by check_pages
//   <!-- run: docs/outputs/step02_spy_store_fails.txt -->   what the step's tests print at
//                                                           this point of the page
//   <!-- compile: step03_cancel -->        not the project's code: compiled with the step's
//   <!-- compile: none main -->            headers (or none), as a file or as main's body
//   <!-- compile-fail: none main "text" -->  must not compile, with an error saying "text"
// Markers checked by the other tools in maintainers/docs_checks/ (docs_check requires them, and leaves the block be):
//   <!-- live: SCENARIO server|clients [any-order] -->   what a step's real server and curl print:
//                                       maintainers/docs_checks/check_live_runs repeats the run and compares
//   <!-- race-report: step03_cancel -->  ThreadSanitizer's report for the compile: block above it
//                                       that says "with a data race": maintainers/docs_checks/check_race_report
//   <!-- compile-go: main|file [cancelled] ["output"] -->   Go, compiled and vetted (as main's body,
//                                       or a whole file) and, with "output", run and compared
//   <!-- compile-go-fail: main|file "text" -->   Go that go vet must reject, saying "text"
//                                       (both: maintainers/docs_checks/check_go_snippets)
// Every C++ block has one of the C++ markers, every Go block a Go one, every text block (an
// output) include: of docs/outputs/, run:, live: or race-report:, so no output is hand-copied.
// A definition starts at the first line that begins with the given text (with the comment
// lines just above it) and ends at the next line that is "}" or "};".
// In the prose, <!-- diff: A B -->N added, M removed<!-- /diff --> is measured from the
// reference (files or step folders A and B); in a step's page "all N ... pass" must count the
// step's tests, and "N tests fail" the failures in the output shown last before it.
#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;

namespace {

bool g_worktree = false;  // read the steps from the working tree, not from git's HEAD

// Built by appending: g++ 12 at -O2 warns, wrongly, about "\"" + text (-Wrestrict), which
// CI's warnings-as-errors would refuse in a release build.
std::string Quoted(const std::string& text) {
  return std::string(1, '"').append(text).append(1, '"');
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::optional<std::string> ReadFile(const fs::path& path) {
  if (!fs::is_regular_file(path)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The output of a shell command, or nothing if it failed.
std::optional<std::string> Run(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string output;
  std::array<char, 4096> buffer{};
  for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) output.append(buffer.data(), n);
  if (pclose(pipe) != 0) return std::nullopt;
  return output;
}

std::string Quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

bool IsStepPath(const std::string& relative) {
  return std::regex_search(relative, std::regex(R"(^step\d\d_)"));
}

// A file of the project: a step's file as the reference has it, any other as it is.
std::optional<std::string> ReadSource(const fs::path& root, const std::string& relative) {
  if (!g_worktree && IsStepPath(relative)) {
    if (auto text = Run("git -C " + Quote(root.string()) + " show " + Quote("HEAD:" + relative) + " 2>/dev/null")) {
      return text;
    }
  }
  return ReadFile(root / relative);
}

std::string Join(const std::vector<std::string>& lines, std::size_t begin, std::size_t end) {
  std::string text;
  for (std::size_t i = begin; i < end; ++i) text += lines[i] + "\n";
  return text;
}

// Where the definition starting with `start` is in `lines`: [begin, end), or nothing.
std::optional<std::pair<std::size_t, std::size_t>> FindDefinition(const std::vector<std::string>& lines,
                                                                  const std::string& start) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!lines[i].starts_with(start)) continue;
    std::size_t begin = i;
    while (begin > 0 && lines[begin - 1].starts_with("//")) --begin;
    for (std::size_t end = i; end < lines.size(); ++end) {
      if (lines[end] == "}" || lines[end] == "};") return std::pair{begin, end + 1};
    }
    break;
  }
  return std::nullopt;
}

// The text a block should show, or an error.
std::optional<std::string> Source(const fs::path& root, const std::string& spec, std::string& error) {
  const auto space = spec.find(' ');
  const std::string file = spec.substr(0, space);
  const auto text = ReadSource(root, file);
  if (!text) {
    error = "no such file: " + file;
    return std::nullopt;
  }
  if (space == std::string::npos) return text;
  const auto lines = SplitLines(*text);
  const std::string start = spec.substr(space + 1);
  if (auto where = FindDefinition(lines, start)) return Join(lines, where->first, where->second);
  error = "no definition starting with \"" + start + "\" in " + file;
  return std::nullopt;
}

// Lines added and removed from `a` to `b`, as a minimal diff counts them.
std::pair<int, int> DiffCounts(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::vector<int>> common(a.size() + 1, std::vector<int>(b.size() + 1, 0));
  for (std::size_t i = a.size(); i-- > 0;) {
    for (std::size_t j = b.size(); j-- > 0;) {
      common[i][j] = a[i] == b[j] ? common[i + 1][j + 1] + 1 : std::max(common[i + 1][j], common[i][j + 1]);
    }
  }
  const int same = common[0][0];
  return {static_cast<int>(b.size()) - same, static_cast<int>(a.size()) - same};
}

std::set<std::string> FilesIn(const fs::path& root, const std::string& folder) {
  std::set<std::string> names;
  if (fs::is_directory(root / folder)) {
    for (const auto& entry : fs::directory_iterator(root / folder)) {
      if (entry.is_regular_file()) names.insert(entry.path().filename().string());
    }
  }
  return names;
}

// "N added, M removed" from `a` to `b` (two files, or two step folders, file by file).
std::optional<std::string> DiffFigures(const fs::path& root, const std::string& a, const std::string& b,
                                       std::string& error) {
  std::vector<std::pair<std::string, std::string>> pairs;
  if (fs::is_directory(root / a) || fs::is_directory(root / b)) {
    auto names = FilesIn(root, a);
    names.merge(FilesIn(root, b));
    for (const auto& name : names) pairs.emplace_back(a + "/" + name, b + "/" + name);
  } else {
    pairs.emplace_back(a, b);
  }
  int added = 0, removed = 0;
  for (const auto& [from, to] : pairs) {
    const auto before = ReadSource(root, from), after = ReadSource(root, to);
    if (!before && !after) {
      error = "neither " + from + " nor " + to + " exists";
      return std::nullopt;
    }
    const auto [plus, minus] = DiffCounts(SplitLines(before.value_or("")), SplitLines(after.value_or("")));
    added += plus;
    removed += minus;
  }
  return std::to_string(added) + " added, " + std::to_string(removed) + " removed";
}

// How many tests a step has (its unit tests and its loopback tests).
int CountTests(const fs::path& root, const std::string& step) {
  static const std::regex test(R"(^TEST(_F|_P)?\()");
  int count = 0;
  for (const char* file : {"/server_test.cpp", "/loopback_test.cpp"}) {
    for (const auto& line : SplitLines(ReadSource(root, step + file).value_or(""))) {
      count += std::regex_search(line, test) ? 1 : 0;
    }
  }
  return count;
}

int NumberWord(std::string word) {
  static const std::vector<std::string> words{"zero",  "one",   "two",  "three", "four",   "five",  "six",
                                              "seven", "eight", "nine", "ten",   "eleven", "twelve"};
  std::transform(word.begin(), word.end(), word.begin(), [](unsigned char c) { return std::tolower(c); });
  const auto it = std::find(words.begin(), words.end(), word);
  if (it != words.end()) return static_cast<int>(it - words.begin());
  return std::all_of(word.begin(), word.end(), [](unsigned char c) { return std::isdigit(c); }) && !word.empty()
             ? std::stoi(word)
             : -1;
}

struct Counts {
  int blocks = 0;
  int snippets = 0;
  int elsewhere = 0;  // blocks another tool checks (live:, race-report:, compile-go:)
  int figures = 0;
  int links = 0;
  int problems = 0;
};

struct Block {
  std::string kind;    // include, run, compile, compile-fail
  std::string spec;    // what follows the kind in the marker
  std::size_t marker;  // the marker's line (0-based)
  std::size_t open;    // the opening fence's line
  std::size_t close;   // the closing fence's line
};

std::vector<Block> Blocks(const std::vector<std::string>& lines) {
  static const std::regex marker(
      R"(^<!-- (include|write|run|compile|compile-fail|live|race-report|compile-go|compile-go-fail): (.+?) -->$)");
  std::vector<Block> blocks;
  bool in_fence = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].starts_with("```")) in_fence = !in_fence;
    std::smatch match;
    if (in_fence || !std::regex_match(lines[i], match, marker)) continue;
    Block block{match[1], match[2], i, i + 1, i + 1};
    if (i + 1 < lines.size() && lines[i + 1].starts_with("```")) {
      block.close = i + 2;
      while (block.close < lines.size() && !lines[block.close].starts_with("```")) ++block.close;
    } else if (block.kind == "include" && block.spec.ends_with(".md")) {
      // Markdown shown as Markdown: the marker opens it, <!-- /include --> closes it.
      block.open = i;
      block.close = i + 1;
      while (block.close < lines.size() && lines[block.close] != "<!-- /include -->") ++block.close;
      if (block.close == lines.size()) block.close = block.open;
    }
    blocks.push_back(block);
  }
  return blocks;
}

std::string PageStep(const fs::path& page) {
  const std::string stem = page.stem().string();
  return IsStepPath(stem) ? stem : "";
}

void CheckPage(const fs::path& root, const fs::path& page, bool update, Counts& counts) {
  static const std::regex link(R"(\]\(([^)#\s]+)(#[^)\s]*)?\))");
  static const std::regex diff(R"(<!-- diff: (\S+) (\S+) -->(.*?)<!-- /diff -->)");
  static const std::regex all_pass(R"(\b[Aa]ll (\w+)( +[\w']+){0,4} +pass\b)");
  const auto text = ReadFile(page);
  const std::string name = page.lexically_relative(root).string();
  if (!text) {
    std::printf("%s: no such page (docs_check reads it: was it moved?)\n", name.c_str());
    ++counts.problems;
    return;
  }
  const auto lines = SplitLines(*text);
  const std::string step = PageStep(page);
  auto problem = [&](std::size_t line, const std::string& what) {
    std::printf("%s:%zu: %s\n", name.c_str(), line + 1, what.c_str());
    ++counts.problems;
  };

  std::vector<std::string> out;
  std::string prose;  // the text outside code blocks, its lines joined: a count may span two
  std::vector<std::pair<std::size_t, std::size_t>> prose_starts;  // (offset in prose, line)
  std::vector<std::pair<std::size_t, int>> failed_shown;          // (offset in prose, tests failed in an output)
  const auto blocks = Blocks(lines);
  std::size_t next_block = 0;
  bool in_fence = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string line = lines[i];
    if (next_block < blocks.size() && blocks[next_block].marker == i) {
      const Block& block = blocks[next_block++];
      out.push_back(line);
      if (block.close == block.open) {
        problem(i, "a marker must be followed by a code block");
        continue;
      }
      if (block.open != block.marker) out.push_back(lines[block.open]);
      if (block.kind == "write" &&
          (!IsStepPath(block.spec) || !fs::is_regular_file(root / block.spec.substr(0, block.spec.find(' '))))) {
        problem(i, "a write: block names a step's file: " + block.spec);
      }
      const bool elsewhere =
          block.kind == "live" || block.kind == "race-report" || block.kind.starts_with("compile-go");
      if (elsewhere) ++counts.elsewhere;
      if (elsewhere || block.kind == "compile" || block.kind == "compile-fail" || block.kind == "write") {
        if (block.kind == "compile" || block.kind == "compile-fail" || block.kind == "write") ++counts.snippets;
        for (std::size_t j = block.open + 1; j <= block.close; ++j) out.push_back(lines[j]);
      } else {
        const std::string& source_spec = block.spec;
        std::string error;
        const auto expected = Source(root, source_spec, error);
        ++counts.blocks;
        if (!expected) {
          problem(i, error);
          for (std::size_t j = block.open + 1; j <= block.close; ++j) out.push_back(lines[j]);
        } else {
          if (Join(lines, block.open + 1, block.close) != *expected && !update) {
            problem(i, "the block differs from " + source_spec + " (docs_check ROOT --update rewrites it)");
          }
          int failed = 0;
          for (const auto& source_line : SplitLines(*expected)) {
            out.push_back(source_line);
            failed += std::regex_search(source_line, std::regex(R"(^\[  FAILED  \] \w+\.\w+)")) ? 1 : 0;
          }
          if (source_spec.ends_with(".txt")) failed_shown.emplace_back(prose.size(), failed);
          out.push_back(lines[block.close]);
        }
      }
      i = block.close;
      continue;
    }
    if (line.starts_with("```")) {
      in_fence = !in_fence;
      if (in_fence && (line == "```cpp" || line == "```c++")) {
        problem(i, "a C++ block must be a step's code (include:) or be compiled (compile: or compile-fail:)");
      }
      if (in_fence && line == "```go") {
        problem(i,
                "a Go block must be compiled: mark it compile-go: or compile-go-fail: "
                "(maintainers/docs_checks/check_go_snippets)");
      }
      if (in_fence && line == "```text") {
        problem(i,
                "an output must be generated or checked, not copied by hand: mark it include: docs/outputs/..., "
                "run:, live: (maintainers/docs_checks/check_live_runs) or race-report: "
                "(maintainers/docs_checks/check_race_report)");
      }
    }
    if (in_fence) {
      out.push_back(line);
      continue;
    }
    for (std::sregex_iterator it(line.begin(), line.end(), link), end; it != end; ++it) {
      const std::string target = (*it)[1];
      if (target.find("://") != std::string::npos || target.starts_with("mailto:")) continue;
      ++counts.links;
      if (!fs::exists(page.parent_path() / target)) problem(i, "the link to " + target + " leads nowhere");
    }
    // Figures measured from the reference.
    std::string rewritten;
    auto rest = line.cbegin();
    for (std::sregex_iterator it(line.begin(), line.end(), diff), end; it != end; ++it) {
      ++counts.figures;
      std::string error;
      const auto figures = DiffFigures(root, (*it)[1], (*it)[2], error);
      rewritten.append(rest, (*it)[3].first);
      if (!figures) {
        problem(i, error);
        rewritten += (*it)[3].str();
      } else {
        if ((*it)[3].str() != *figures && !update) {
          problem(i, "the diff " + (*it)[1].str() + " -> " + (*it)[2].str() + " is " + *figures + ", not " +
                         (*it)[3].str() + " (docs_check ROOT --update rewrites it)");
        }
        rewritten += *figures;
      }
      rest = (*it)[3].second;
    }
    rewritten.append(rest, line.cend());
    line = rewritten;
    prose_starts.push_back({prose.size(), i});
    prose += line + " ";
    out.push_back(line);
  }
  // "N tests fail" counts the failures of the output shown last before it.
  static const std::regex tests_fail(R"(\b(\w+) +tests +fail\b)");
  for (std::sregex_iterator it(prose.begin(), prose.end(), tests_fail), end; it != end; ++it) {
    const int said = NumberWord((*it)[1]);
    const auto offset = static_cast<std::size_t>(it->position());
    std::optional<int> shown;
    for (const auto& [start, failed] : failed_shown) {
      if (start <= offset) shown = failed;
    }
    std::size_t at = 0;
    for (const auto& [start, line] : prose_starts) {
      if (start <= offset) at = line;
    }
    if (said < 0 || !shown) continue;
    ++counts.figures;
    if (said != *shown) {
      problem(at, Quoted(it->str()) + ": the output shown above it has " + std::to_string(*shown) + " failed tests");
    }
  }
  if (!step.empty()) {
    for (std::sregex_iterator it(prose.begin(), prose.end(), all_pass), end; it != end; ++it) {
      const int said = NumberWord((*it)[1]);
      const int has = CountTests(root, step);
      ++counts.figures;
      const auto offset = static_cast<std::size_t>(it->position());
      std::size_t at = 0;
      for (const auto& [start, line] : prose_starts) {
        if (start <= offset) at = line;
      }
      if (said >= 0 && said != has) {
        problem(at, Quoted(it->str()) + ": " + step + " has " + std::to_string(has) + " tests");
      }
    }
  }
  if (update) {
    std::ofstream page_out(page);
    for (const auto& out_line : out) page_out << out_line << "\n";
  }
}

// --apply: the page's blocks of its own step's files, in order, into the steps under `dest`.
// A whole file replaces the file; a definition replaces the definition, or is added at the end.
int Apply(const fs::path& page, const fs::path& dest, std::optional<int> before_run) {
  const auto lines = SplitLines(ReadFile(page).value_or(""));
  const std::string step = PageStep(page);
  int runs = 0;
  for (const auto& block : Blocks(lines)) {
    if (block.kind == "run" && before_run && runs++ == *before_run) break;
    if ((block.kind != "include" && block.kind != "write") || !block.spec.starts_with(step + "/")) continue;
    const auto space = block.spec.find(' ');
    const fs::path file = dest / block.spec.substr(0, space);
    const std::string shown = Join(lines, block.open + 1, block.close);
    if (space == std::string::npos) {
      std::ofstream(file) << shown;
      continue;
    }
    auto target = SplitLines(ReadFile(file).value_or(""));
    std::vector<std::string> result;
    if (auto where = FindDefinition(target, block.spec.substr(space + 1))) {
      result.assign(target.begin(), target.begin() + static_cast<long>(where->first));
      for (const auto& shown_line : SplitLines(shown)) result.push_back(shown_line);
      result.insert(result.end(), target.begin() + static_cast<long>(where->second), target.end());
    } else {
      result = target;
      result.emplace_back();
      for (const auto& shown_line : SplitLines(shown)) result.push_back(shown_line);
    }
    std::ofstream out(file);
    for (const auto& result_line : result) out << result_line << "\n";
  }
  return 0;
}

// --snippets: every compile: block as a file of its own, and snippets.tsv to say how to build it:
// file, step (or none), main or file, "compile" or the error text it must fail with, page:line.
int Snippets(const fs::path& root, const fs::path& dest) {
  static const std::regex spec(R"re(^(\S+)( main)?( "(.*)")?$)re");
  fs::create_directories(dest);
  std::ofstream manifest(dest / "snippets.tsv");
  int problems = 0;
  // The English pages only: a translation's blocks are byte-for-byte copies of them
  // (maintainers/docs_checks/check_translations), so each snippet is compiled once.
  for (const auto& entry : fs::directory_iterator(root / "docs")) {
    if (entry.path().extension() != ".md") continue;
    const auto lines = SplitLines(ReadFile(entry.path()).value_or(""));
    for (const auto& block : Blocks(lines)) {
      if (block.kind != "compile" && block.kind != "compile-fail") continue;
      const std::string where = entry.path().lexically_relative(root).string() + ":" + std::to_string(block.marker + 1);
      std::smatch match;
      if (!std::regex_match(block.spec, match, spec) || (block.kind == "compile-fail") != match[3].matched) {
        std::printf("%s: compile: STEP|none [main], compile-fail: STEP|none [main] \"error text\"\n", where.c_str());
        ++problems;
        continue;
      }
      const std::string file = entry.path().stem().string() + "_" + std::to_string(block.marker + 1) + ".cpp";
      std::ofstream(dest / file) << Join(lines, block.open + 1, block.close);
      manifest << file << '\t' << match[1] << '\t' << (match[2].matched ? "main" : "file") << '\t'
               << (match[3].matched ? match[4].str() : std::string("compile")) << '\t' << where << '\n';
    }
  }
  return problems == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char* argv[]) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto usage = [&] {
    std::fprintf(stderr,
                 "usage: %s ROOT [--update] [--worktree]\n"
                 "       %s ROOT --apply PAGE DEST [N] | --runs PAGE | --snippets DEST\n",
                 argv[0], argv[0]);
    return 2;
  };
  if (args.empty() || args[0].starts_with("-")) return usage();
  const fs::path root = fs::weakly_canonical(args[0]);
  if (std::error_code error; !fs::is_directory(root / "docs", error)) {
    std::fprintf(stderr, "docs_check: %s has no docs/ folder: ROOT is the project's root\n", args[0].c_str());
    return usage();
  }
  if (args.size() >= 4 && args[1] == "--apply") {
    std::optional<int> before_run;
    if (args.size() == 5) {
      int n = 0;
      const auto [end, error] = std::from_chars(args[4].data(), args[4].data() + args[4].size(), n);
      if (error != std::errc{} || end != args[4].data() + args[4].size()) return usage();
      before_run = n;
    }
    return Apply(fs::absolute(args[2]), fs::absolute(args[3]), before_run);
  }
  if (args.size() == 3 && args[1] == "--runs") {
    const auto lines = SplitLines(ReadFile(args[2]).value_or(""));
    for (const auto& block : Blocks(lines)) {
      if (block.kind == "run") std::printf("%s\n", block.spec.c_str());
    }
    return 0;
  }
  if (args.size() == 3 && args[1] == "--snippets") return Snippets(root, fs::absolute(args[2]));

  bool update = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--update") {
      update = true;
    } else if (args[i] == "--worktree") {
      g_worktree = true;
    } else {
      return usage();
    }
  }
  if (!g_worktree && !Run("git -C " + Quote(root.string()) + " rev-parse --verify -q HEAD >/dev/null 2>&1")) {
    g_worktree = true;  // not a git checkout: the working tree is the reference
  }
  Counts counts;
  std::vector<fs::path> pages;
  for (const auto& entry : fs::recursive_directory_iterator(root / "docs")) {
    if (entry.path().extension() == ".md") pages.push_back(entry.path());
  }
  std::sort(pages.begin(), pages.end());
  for (const char* readme :
       {"README.md", "support/README.md", "support/http_cancel/README.md", "maintainers/README.md"}) {
    pages.push_back(root / readme);
  }
  for (const auto& page : pages) CheckPage(root, page, update, counts);
  std::printf(
      "%zu pages, against %s: %d code blocks %s, %d figures %s, %d snippets marked, %d blocks marked for "
      "maintainers/docs_checks/check_*, %d links checked, %d problems\n",
      pages.size(), g_worktree ? "the working tree" : "git's HEAD", counts.blocks,
      update ? "rewritten from their sources" : "match their sources", counts.figures,
      update ? "rewritten" : "measured", counts.snippets, counts.elsewhere, counts.links, counts.problems);
  return counts.problems == 0 ? 0 : 1;
}
