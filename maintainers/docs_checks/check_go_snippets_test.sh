#!/usr/bin/env bash
# check_go_snippets finds what is wrong, and only that: in a docs/ folder of its own, each case
# is one page with one Go block and expects the check to pass, or to fail saying why.
#
#   maintainers/docs_checks/check_go_snippets_test.sh CHECK_GO_SNIPPETS
set -euo pipefail
check=$(realpath "$1")
work=$(mktemp -d "${TMPDIR:-/tmp}/check_go_snippets_test.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/docs"
failures=0

# expect NAME 0|1 ["text the check must print"], with the page on stdin.
expect() {
  local name=$1 want=$2 text=${3:-} status=0 output
  rm -f "$work"/docs/*.md
  cat >"$work/docs/page.md"
  output=$(python3 "$check" "$work" 2>&1) || status=$?
  if [[ "$want" == 0 && $status -ne 0 ]]; then echo "FAILED: $name: expected no problem, got: $output"; failures=$((failures + 1)); return; fi
  if [[ "$want" == 1 && $status -eq 0 ]]; then echo "FAILED: $name: expected a problem, the check passed"; failures=$((failures + 1)); return; fi
  if [[ -n "$text" && "$output" != *"$text"* ]]; then echo "FAILED: $name: expected \"$text\" in: $output"; failures=$((failures + 1)); return; fi
  echo "$name: ok"
}

expect "a body that compiles" 0 <<'EOF'
<!-- compile-go: main -->
```go
child, cancel := context.WithCancel(ctx)
defer cancel()
fmt.Println(child.Err())
```
EOF

expect "a whole file" 0 <<'EOF'
<!-- compile-go: file -->
```go
package main

func main() {}
```
EOF

expect "a block without a marker" 1 "docs/page.md:1: a Go block needs a marker" <<'EOF'
```go
fmt.Println("hi")
```
EOF

expect "a block that does not compile" 1 "docs/page.md:2: this Go block does not compile" <<'EOF'
<!-- compile-go: main -->
```go
x := undefinedName
```
EOF

expect "go vet's lostcancel" 1 "does not pass go vet" <<'EOF'
<!-- compile-go: main -->
```go
child, _ := context.WithCancel(ctx)
_ = child
```
EOF

expect "what it prints, right" 0 <<'EOF'
<!-- compile-go: main "done" -->
```go
fmt.Println(slowWork())
```
EOF

expect "what it prints, wrong" 1 'the page says this Go block prints "gave up: context canceled"; run with ctx cancelled, it printed "done"' <<'EOF'
<!-- compile-go: main cancelled "gave up: context canceled" -->
```go
fmt.Println("done")
```
EOF

expect "a cancelled context, as the page says" 0 <<'EOF'
<!-- compile-go: main cancelled "gave up: context canceled" -->
```go
results := make(chan string, 1)
go func() { results <- slowWork() }()
select {
case r := <-results:
	fmt.Println(r)
case <-ctx.Done():
	fmt.Println("gave up:", ctx.Err())
}
```
EOF

expect "must not compile, and does not" 0 <<'EOF'
<!-- compile-go-fail: main "the cancel function returned by context.WithCancel should be called" -->
```go
child, _ := context.WithCancel(ctx)
_ = child
```
EOF

expect "must not compile, but does" 1 "this Go block compiles and passes go vet; the page says it does not" <<'EOF'
<!-- compile-go-fail: main "declared but not used" -->
```go
fmt.Println(ctx)
```
EOF

expect "must not compile, for another reason" 1 'go vet rejects this Go block, but without saying "declared but not used"' <<'EOF'
<!-- compile-go-fail: main "declared but not used" -->
```go
fmt.Println(undefinedName)
```
EOF

((failures == 0)) && echo "check_go_snippets finds each problem" || exit 1
