#!/usr/bin/env bash
# check_live_runs fails where a page's live run is no longer what the servers print, and only
# there: each case writes one small page (in a temporary folder that stands for the project's
# root) and expects the check to pass, or to fail saying why.
#
#   maintainers/docs_checks/check_live_runs_test.sh CHECK_LIVE_RUNS BUILD_DIR
set -euo pipefail
check=$(realpath "$1")
build=$(realpath "$2")
# The cases run the built step servers, which must be the reference solution, as for the check.
root=$(dirname "$check")/../..
if [[ -n $(git -C "$root" status --porcelain -- step01_happy_path step02_spy_store step03_cancel step04_context 2> /dev/null) ]]; then
  echo "skipped: the step folders hold changes of yours (kata mode?); the cases need the reference solution's servers"
  exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/check_live_runs_test.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/docs"
failures=0
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }

# Expects the check to pass (expect 0), to fail saying `text` (expect 1 "text"), or to skip
# (expect 77 "text"); the check's other arguments follow.
expect() {
  local want=$1 text=$2 status=0 output
  shift 2
  output=$(python3 "$check" "$build" "$@" "$work" 2>&1) || status=$?
  if [[ $status -ne $want ]]; then fail "$case: expected exit $want, got $status: $output"; return; fi
  if [[ "$output" != *"$text"* ]]; then fail "$case: expected \"$text\" in: $output"; return; fi
  echo "$case: ok"
}

page() { printf '%s\n' "$@" > "$work/docs/page.md"; }

one_client=('<!-- live: step02_one_client server -->' '```text' 'listening on http://127.0.0.1:40721'
  'request received GET /' 'fetch started' 'fetch cancelled' 'response written' '```')

case="what the server prints, on another port"
page "${one_client[@]}"
expect 0 "1 live runs checked against 1 scenarios, 0 problem(s)"

case="a line the server no longer prints"
page "${one_client[@]/fetch cancelled/fetch completed}"
expect 1 "the page shows what step02_one_client's server no longer prints"

case="a line missing"
page "${one_client[@]:0:4}" "${one_client[@]:5}"  # without "fetch started"
expect 1 "no longer prints"

case="--update writes what the server printed"
page "${one_client[@]/fetch cancelled/fetch completed}"
expect 0 "docs/page.md:1: updated" --update
if ! grep -qx "fetch cancelled" "$work/docs/page.md" || ! grep -qx "listening on http://127.0.0.1:40721" "$work/docs/page.md"; then
  fail "$case: the block was not rewritten with this run's lines and the page's port: $(cat "$work/docs/page.md")"
fi
case="...and then the page passes"
expect 0 "0 problem(s)"

case="a scenario there is not"
page '<!-- live: step05_future server -->' '```text' 'hello' '```'
expect 1 "no scenario 'step05_future'; there are: step01_two_clients"

case="a marker without its block"
page '<!-- live: step02_one_client server -->' 'A sentence, not a code block.'
expect 1 "a live: marker must be followed by a code block"

# Figures in milliseconds may differ by 50 ms plus 10%: live_demo's vary from run to run.
demo=('<!-- live: live_demo clients -->' '```text'
  "Each step's server, with a store that takes 1000 ms to fetch: one client waits for the"
  'answer, another hangs up after 50 ms.' ''
  'step                the patient client got        the store kept working after the impatient client left'
  'step01_happy_path   "hello, world" after 1068 ms  949.92 ms, then fetch completed'
  'step02_spy_store    "" after 38 ms                none: the fetch was cancelled before the client left'
  'step03_cancel       "hello, world" after 1031 ms  0.43 ms, then fetch cancelled'
  'step04_context      "hello, world" after 1047 ms  0.63 ms, then fetch cancelled' '```')

case="times within 50 ms plus 10%"
page "${demo[@]}"
expect 0 "0 problem(s)"

case="a time far from this run's"
page "${demo[@]/after 1031 ms/after 1531 ms}"
expect 1 "the page shows what live_demo's clients no longer print"

# A learner's own code in the steps (kata mode): the pages show the reference solution's runs.
case="steps holding changes of the learner's"
git -C "$work" init -q
mkdir -p "$work/step03_cancel"
echo "reference" > "$work/step03_cancel/handler.cpp"
git -C "$work" add step03_cancel
git -C "$work" -c user.name=test -c user.email=test@example.com commit -qm "the reference solution"
echo "the learner's" > "$work/step03_cancel/handler.cpp"
page "${one_client[@]}"
expect 77 "skipped: the step folders hold changes of yours"

if ((failures)); then
  echo "$failures case(s) failed"
  exit 1
fi
echo "every case behaved"
