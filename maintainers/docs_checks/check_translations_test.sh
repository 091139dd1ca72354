#!/usr/bin/env bash
# check_translations catches each way a translation drifts from the English, and only that: in a
# small chapter of its own (a git repository in a temporary folder), each case breaks one thing
# in the Portuguese and expects the check to say so.
#
#   maintainers/docs_checks/check_translations_test.sh CHECK_TRANSLATIONS
set -euo pipefail
check=$(realpath "$1")
work=$(mktemp -d "${TMPDIR:-/tmp}/check_translations_test.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }

# Expects the check to pass (expect 0) or to fail saying `text` (expect 1 "text").
expect() {
  local status=0 output
  output=$(python3 "$check" "$work" 2>&1) || status=$?
  if [[ "$1" == 0 && $status -ne 0 ]]; then fail "$case: expected no problem, got: $output"; return; fi
  if [[ "$1" == 1 && $status -eq 0 ]]; then fail "$case: expected a problem, the check passed: $output"; return; fi
  if [[ "$1" == 1 && "$output" != *"$2"* ]]; then fail "$case: expected \"$2\" in: $output"; return; fi
  echo "$case: ok"
}

git init -q .
mkdir -p docs/pt-BR docs/outputs
echo "[  PASSED  ] 1 test." >docs/outputs/one.txt
cat >docs/one.md <<'EOF'
**English** · [Português (Brasil)](pt-BR/one.md)

# One

Read [two](two.md#the-end), then run:

<!-- run: docs/outputs/one.txt -->
```
[  PASSED  ] 1 test.
```

The diff: <!-- diff: a b -->4 added, 1 removed<!-- /diff -->.

## The end
EOF
cat >docs/two.md <<'EOF'
**English** · [Português (Brasil)](pt-BR/two.md)

# Two

## The end
EOF
git add -A && git -c user.name=test -c user.email=test@example.com commit -q -m english
one_blob=$(git hash-object docs/one.md)
two_blob=$(git hash-object docs/two.md)
cat >docs/pt-BR/one.md <<EOF
[English](../one.md) · **Português (Brasil)**

<!-- translation of docs/one.md at $one_blob -->

# Um

Leia [dois](two.md#o-fim), depois rode:

<!-- run: docs/outputs/one.txt -->
\`\`\`
[  PASSED  ] 1 test.
\`\`\`

O diff: <!-- diff: a b -->4 added, 1 removed<!-- /diff -->.

## O fim
EOF
cat >docs/pt-BR/two.md <<EOF
[English](../two.md) · **Português (Brasil)**

<!-- translation of docs/two.md at $two_blob -->

# Dois

## O fim
EOF
pristine=$(cat docs/pt-BR/one.md)
restore() { printf '%s\n' "$pristine" >docs/pt-BR/one.md; }

case="a complete translation"; expect 0

case="a missing page"
mv docs/pt-BR/two.md "$work/two.md"
expect 1 "docs/pt-BR/two.md:1: missing: translate docs/two.md"
mv "$work/two.md" docs/pt-BR/two.md

case="a missing heading"
sed -i '/^## O fim/d' docs/pt-BR/one.md
expect 1 "docs/pt-BR/one.md:16: 1 heading(s) missing, from the one at docs/one.md:14"
restore

case="a missing heading before another"
sed -i '/^# Um/d' docs/pt-BR/one.md
expect 1 "heading 1 differs from the one at docs/one.md:3 (- the English, + this page); this page has 1 headings, the English 2: one is missing or extra here"
restore

case="a heading at another level"
sed -i 's/^## O fim/### O fim/' docs/pt-BR/one.md
expect 1 "heading 2 differs from the one at docs/one.md:14"
restore

case="a changed code block"
sed -i 's/1 test\./2 tests./' docs/pt-BR/one.md
expect 1 "code block 1 differs from the one at docs/one.md:8"
restore

case="a missing marker"
sed -i '/^<!-- run:/d' docs/pt-BR/one.md
expect 1 "+(no marker)"
restore

case="a changed figure"
sed -i 's/4 added/5 added/' docs/pt-BR/one.md
expect 1 "diff marker 1 differs from the one at docs/one.md:12"
restore

case="a missing diff marker"
sed -i 's/<!-- diff: a b -->4 added, 1 removed<!-- \/diff -->/4 added, 1 removed/' docs/pt-BR/one.md
expect 1 "1 diff marker(s) missing"
restore

case="a link to a page that does not exist"
sed -i 's/two\.md#o-fim/three.md/' docs/pt-BR/one.md
expect 1 "the link to three.md leads nowhere"
restore

case="a link to a heading that does not exist (the English one)"
sed -i 's/#o-fim/#the-end/' docs/pt-BR/one.md
expect 1 "docs/pt-BR/two.md has no heading whose anchor is #the-end"
restore

case="a wrong language line"
sed -i '1s/.*/[English](..\/one.md)/' docs/pt-BR/one.md
expect 1 "docs/pt-BR/one.md:1: line 1 must be the language line"
restore

case="an English page without its language line"
sed -i '1d' docs/two.md
expect 1 "docs/two.md:1: line 1 must be the language line"
git checkout -q docs/two.md

case="a source line missing"
sed -i '3d' docs/pt-BR/one.md
expect 1 "docs/pt-BR/one.md:3: line 2 must be blank and line 3 the source line"
restore

case="the English changed since the translation"
sed -i 's/^Read /First read /' docs/one.md
git add -A && git -c user.name=test -c user.email=test@example.com commit -q -m "english changed"
expect 1 "+First read [two](two.md#the-end), then run:"
expect 1 "update docs/pt-BR/one.md to match, then set its source line to $(git hash-object docs/one.md)"

case="the translation follows"
sed -i "s/$one_blob/$(git hash-object docs/one.md)/" docs/pt-BR/one.md
expect 0

case="a language line added to the English later does not make a translation stale"
git add -A && git -c user.name=test -c user.email=test@example.com commit -q -m "translation follows"
sed -i '1s/.*/**English** · [Português (Brasil)](pt-BR\/two.md) · [Русский](ru\/two.md)/' docs/two.md
mkdir -p docs/ru
cp docs/pt-BR/two.md docs/ru/two.md
sed -i '1s/.*/[English](..\/two.md) · [Português (Brasil)](..\/pt-BR\/two.md) · **Русский**/' docs/ru/two.md
sed -i '1s/.*/[English](..\/two.md) · **Português (Brasil)** · [Русский](..\/ru\/two.md)/' docs/pt-BR/two.md
expect 1 "docs/ru/one.md:1: missing: translate docs/one.md into docs/ru/one.md"
if [[ $(python3 "$check" "$work") == *"docs/two.md has changed"* ]]; then fail "$case: a new language line is a change"; fi

case="outside a git checkout"
rm -rf docs/ru .git
git -C "$work" status >/dev/null 2>&1 && fail "$case: still a git checkout"
sed -i '1s/.*/**English** · [Português (Brasil)](pt-BR\/two.md)/' docs/two.md
sed -i '1s/.*/[English](..\/two.md) · **Português (Brasil)**/' docs/pt-BR/two.md
expect 0
[[ $(python3 "$check" "$work") == *"not a git checkout"* ]] || fail "$case: no note that staleness was not checked"

case="folders that are not a translation"
mkdir -p docs/img docs/workshop docs/xx  # docs/xx: a language tag, but no pages
echo "# Room" >docs/workshop/room.md
expect 0
rmdir docs/xx
[[ $(python3 "$check" "$work") == *"docs/workshop/ holds pages: not a language, so not checked"* ]] ||
  fail "$case: no note about docs/workshop/"
mkdir -p docs/de && echo "# Eins" >docs/de/one.md
expect 1 "de has no name: add it to LANGUAGES"
rm -r docs/de docs/img docs/workshop

if ((failures > 0)); then echo "$failures case(s) failed"; exit 1; fi
echo "every case caught"
