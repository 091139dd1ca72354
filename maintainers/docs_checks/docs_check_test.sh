#!/usr/bin/env bash
# docs_check finds what is wrong, and only that: in a small project of its own (a git
# repository in a temporary folder), each case breaks one thing and expects the check to say so;
# a learner's own code in the working tree must change nothing.
#
#   maintainers/docs_checks/docs_check_test.sh DOCS_CHECK
set -euo pipefail
docs_check=$(realpath "$1")
work=$(mktemp -d "${TMPDIR:-/tmp}/docs_check_test.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }

# Expects docs_check to pass (expect 0) or to fail saying `text` (expect 1 "text").
expect() {
  local status=0 output
  output=$("$docs_check" "$work" "${extra[@]}" 2>&1) || status=$?
  if [[ "$1" == 0 && $status -ne 0 ]]; then fail "$case: expected no problem, got: $output"; return; fi
  if [[ "$1" == 1 && $status -eq 0 ]]; then fail "$case: expected a problem, docs_check passed"; return; fi
  if [[ "$1" == 1 && "$output" != *"$2"* ]]; then fail "$case: expected \"$2\" in: $output"; return; fi
  echo "$case: ok"
}
extra=()

git init -q .
mkdir -p step01_one step02_two docs
printf 'TEST(Server, One) {\n}\n' >step01_one/server_test.cpp
printf 'TEST(Server, One) {\n}\nTEST(Server, Two) {\n}\n' >step02_two/server_test.cpp
printf 'int Answer() {\n  return 1;\n}\n' >step01_one/server.cpp
printf '// The answer.\nint Answer() {\n  return 42;\n}\n' >step02_two/server.cpp
cat >docs/step02_two.md <<'EOF'
# Step two

<!-- include: step02_two/server.cpp int Answer -->
```cpp
// The answer.
int Answer() {
  return 42;
}
```

The diff: <!-- diff: step01_one step02_two -->4 added, 1 removed<!-- /diff -->. All two of the
step's tests pass.

<!-- compile: none main -->
```cpp
int x = 0;
```
EOF
echo "# Project" >README.md
mkdir -p support/http_cancel maintainers  # the other READMEs docs_check reads
for readme in support/README.md support/http_cancel/README.md maintainers/README.md; do echo "# ${readme%/*}" >"$readme"; done
git add -A && git -c user.name=test -c user.email=test@example.com commit -q -m reference
pristine=$(cat docs/step02_two.md)

case="the reference"; expect 0

case="a learner's own code in the working tree"
printf 'int Answer() {\n  return 6 * 7;\n}\n' >step02_two/server.cpp
expect 0
case="the same, checked against the working tree"; extra=(--worktree)
expect 1 "the block differs from step02_two/server.cpp int Answer"
case="--update with a learner's own code"; extra=(--update)
expect 0
[[ "$(cat docs/step02_two.md)" == "$pristine" ]] || fail "$case: --update copied the working tree's code"
extra=()
git checkout -q -- step02_two

case="a block that is not the reference"
sed -i 's/return 42;/return 43;/' docs/step02_two.md
expect 1 "the block differs from step02_two/server.cpp int Answer"
echo "$pristine" >docs/step02_two.md

case="a diff figure typed by hand"
sed -i 's/4 added, 1 removed/5 added, 1 removed/' docs/step02_two.md
expect 1 "the diff step01_one -> step02_two is 4 added, 1 removed, not 5 added, 1 removed"
extra=(--update)
expect 0
grep -q -- '-->4 added, 1 removed<!--' docs/step02_two.md || fail "$case: --update did not measure it"
extra=()

case="a count of tests that is not true"
sed -i 's/All two of the/All three of the/' docs/step02_two.md
expect 1 "step02_two has 2 tests"
echo "$pristine" >docs/step02_two.md

case="a count of failures that is not the output's"
printf '[  FAILED  ] Server.One\n[  FAILED  ] Server.Two\n' >docs/red.txt
printf '\n<!-- include: docs/red.txt -->\n```text\n[  FAILED  ] Server.One\n[  FAILED  ] Server.Two\n```\n\nThree tests\nfail.\n' >>docs/step02_two.md
expect 1 "the output shown above it has 2 failed tests"
sed -i 's/^Three tests$/Two tests/' docs/step02_two.md
expect 0
echo "$pristine" >docs/step02_two.md

case="a C++ block that is neither included nor compiled"
sed -i 's/^<!-- compile: none main -->$//' docs/step02_two.md
expect 1 "a C++ block must be a step's code"
echo "$pristine" >docs/step02_two.md

case="an output copied by hand (a text block with no marker)"
printf '\n```text\nlistening on http://127.0.0.1:8080\n```\n' >>docs/step02_two.md
expect 1 "an output must be generated or checked, not copied by hand"
echo "$pristine" >docs/step02_two.md

case="outputs and Go checked by the other tools (live:, race-report:, compile-go:, compile-go-fail:)"
printf '\n<!-- live: step01_two_clients server -->\n```text\nfetch started\n```\n' >>docs/step02_two.md
printf '\n<!-- race-report: step03_cancel -->\n```text\nWARNING: ThreadSanitizer: data race\n```\n' >>docs/step02_two.md
printf '\n<!-- compile-go: main -->\n```go\nfmt.Println(1)\n```\n' >>docs/step02_two.md
printf '\n<!-- compile-go-fail: main "declared" -->\n```go\nx := 1\n```\n' >>docs/step02_two.md
expect 0
echo "$pristine" >docs/step02_two.md

case="a Go block that nothing compiles"
printf '\n```go\nfmt.Println(1)\n```\n' >>docs/step02_two.md
expect 1 "a Go block must be compiled: mark it compile-go:"
echo "$pristine" >docs/step02_two.md

case="a link that leads nowhere"
echo "[next](step03_three.md)" >>docs/step02_two.md
expect 1 "the link to step03_three.md leads nowhere"
echo "$pristine" >docs/step02_two.md

case="a README it reads is gone (moved, and docs_check not told)"
mv maintainers/README.md maintainers/README.moved
expect 1 "maintainers/README.md: no such page"
mv maintainers/README.moved maintainers/README.md

case="a Markdown file included as Markdown"
mkdir -p hints && printf '1. Look at the test.\n2. Return 42.\n' >hints/two.md
printf '<!-- include: hints/two.md -->\n1. Look at the test.\n2. Return 42.\n<!-- /include -->\n' >>docs/step02_two.md
expect 0
printf '3. Or 6 * 7.\n' >>hints/two.md
expect 1 "the block differs from hints/two.md"
echo "$pristine" >docs/step02_two.md

# --apply, as maintainers/docs_checks/check_pages uses it: whole files replace, definitions replace or are added,
# in order, up to a "run:" block.
case="--apply"
mkdir -p dest/step02_two
printf 'int Answer() {\n  return 1;\n}\n' >dest/step02_two/server.cpp
cat >docs/step02_two.md <<'EOF2'
<!-- write: step02_two/server.cpp -->
```cpp
int Answer() {
  return 0;
}
```

<!-- run: docs/first_run.txt -->
```text
```

<!-- include: step02_two/server.cpp int Answer -->
```cpp
// The answer.
int Answer() {
  return 42;
}
```

<!-- write: step02_two/server.cpp int Question -->
```cpp
int Question() {
  return 6 * 7;
}
```
EOF2
"$docs_check" "$work" --apply "$work/docs/step02_two.md" "$work/dest" 0
[[ "$(cat dest/step02_two/server.cpp)" == "$(printf 'int Answer() {\n  return 0;\n}')" ]] ||
  fail "$case: up to the first run, the whole file is replaced: $(cat dest/step02_two/server.cpp)"
"$docs_check" "$work" --apply "$work/docs/step02_two.md" "$work/dest"
[[ "$(cat dest/step02_two/server.cpp)" == "$(printf '// The answer.\nint Answer() {\n  return 42;\n}\n\nint Question() {\n  return 6 * 7;\n}')" ]] ||
  fail "$case: a definition replaces its namesake, a new one is added: $(cat dest/step02_two/server.cpp)"
[[ "$("$docs_check" "$work" --runs "$work/docs/step02_two.md")" == "docs/first_run.txt" ]] || fail "$case: --runs"
echo "$case: ok"
echo "$pristine" >docs/step02_two.md

case="outside a git checkout, the working tree is the reference"
rm -rf .git
printf 'int Answer() {\n  return 6 * 7;\n}\n' >step02_two/server.cpp
expect 1 "the block differs from step02_two/server.cpp int Answer"

case="a ROOT that is not a project, and a flag in its place, get the usage"
for root in "$work/step01_one" --help; do
  status=0
  output=$("$docs_check" "$root" 2>&1) || status=$?
  [[ $status -eq 2 && "$output" == *"usage:"* ]] || fail "$case: $root: exit $status, $output"
done
[[ "$("$docs_check" "$work/step01_one" 2>&1)" == *"has no docs/ folder"* ]] || fail "$case: no reason given"
echo "$case: ok"

if ((failures > 0)); then
  echo "$failures cases failed"
  exit 1
fi
echo "docs_check finds every problem it was shown, and nothing else"
