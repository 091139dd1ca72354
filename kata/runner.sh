# What kata/watch, kata/hint and kata/status share: one step's verdict (build, then its tests,
# summed up for a learner), and what the learner's progress is. Progress lives in
# .kata/<step>/, beside the saved attempts, never in the step:
#   .kata/<step>/progress      the last verdict: "green|red|broken PASSED TOTAL FINGERPRINT"
#   .kata/<step>/last-run.log  the whole ctest output of that run
#   .kata/<step>/hints-seen    how many of the step's hints were shown
# Sourced after kata/steps.sh (which has changed to the repository's root).

# Sets `step` to the one step NAME names (step03 or step03_cancel); --all is not one step.
kata_one_step() {
  if [[ "$1" == --all ]]; then
    echo "kata: one step at a time; the steps are: ${kata_steps[*]%%_*}" >&2
    exit 2
  fi
  kata_choose "$1"
  step=${kata_chosen[0]}
}

# What a step's files hold now, in one word: a verdict is about the code it was given.
kata_fingerprint() {
  (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha1sum) | sha1sum | cut -c1-40
}

# The page to read after a step, and the command that comes next.
kata_next() {
  local i
  for i in "${!kata_steps[@]}"; do
    [[ "${kata_steps[$i]}" == "$1" ]] || continue
    if ((i + 1 < ${#kata_steps[@]})); then
      local next=${kata_steps[$((i + 1))]}
      next_page="docs/$next.md"
      next_command="kata/start ${next%%_*} && kata/watch ${next%%_*}"
    else
      next_page=docs/real_server.md
      next_command="kata/status"
    fi
  done
}

if [[ -t 1 && "${TERM:-dumb}" != dumb && -z "${NO_COLOR:-}" ]]; then
  kata_red=$'\e[31m' kata_green=$'\e[32m' kata_bold=$'\e[1m' kata_plain=$'\e[0m'
else
  kata_red="" kata_green="" kata_bold="" kata_plain=""
fi

# The results of a ctest log, in the chapter's order (the order of the step's test files,
# which is the order of the tests' numbers): one "NUMBER NAME STATUS" a line, the build not
# among them.
kata_results() {
  sed -nE 's/^ *[0-9]+\/[0-9]+ Test +#([0-9]+): ([^ ]+) \.* *(\**[A-Za-z].*[^ ]) +[0-9.]+ sec$/\1 \2 \3/p' "$1" |
    grep -v "^[0-9]* $2\.build " | sort -n
}

# What test NAME printed in a ctest log: from its "[ RUN ]" line to its "[  FAILED  ]" line
# (everything it printed, if it never got that far), paths shown from the repository's root.
kata_test_output() {
  awk -v name="$2" '
    found && (/^ *Start +[0-9]+: / || /^ *[0-9]+\/[0-9]+ Test +#/ || /^[0-9]+% tests passed/) { exit }
    found { print }
    /^ *[0-9]+\/[0-9]+ Test +#[0-9]+: / && index($0, ": " name " ") { found = 1 }
  ' "$1" | awk '
    { lines[NR] = $0 }
    /^\[ RUN      \]/ && !run { run = NR }
    /^\[  FAILED  \]/ && run && !end { end = NR }
    END {
      first = run ? run : 1; last = end ? end : NR
      while (last >= first && lines[last] ~ /^[[:space:]]*$/) last--
      for (i = first; i <= last; i++) print lines[i]
    }' | sed "s|$kata_root/||g"
}

# The compiler's first error in a ctest log, with the lines that show where, paths from the
# repository's root; or, for an error without a place (the linker's), its first line.
kata_first_error() {
  local shown
  shown=$(sed "s|$kata_root/||g; s|\.\./\.\./||g" "$1" | awk '
    done { next }
    err && /^ *[0-9]* *\|/ { print; next }
    err { done = 1; next }
    /:[0-9]+:[0-9]+: (fatal )?error:/ { print; err = 1 }')
  [[ -n "$shown" ]] || shown=$(grep -m1 -iE 'error|undefined reference' "$1" | sed "s|$kata_root/||g")
  echo "$shown"
}

# Builds STEP and runs its tests, prints the verdict for a learner, and records it in
# .kata/<step>/progress. Returns 0 when green.
kata_verdict() {
  local step=$1 log=".kata/$1/last-run.log" fingerprint started elapsed
  mkdir -p ".kata/$step"
  fingerprint=$(kata_fingerprint "$step")
  if [[ ! -f build/default/CTestTestfile.cmake ]]; then
    echo "Configuring once: cmake --preset default"
    if ! cmake --preset default >"$log" 2>&1; then
      cat "$log"
      echo "${kata_red}cmake --preset default failed${kata_plain}: its messages are above (and in $log)"
      return 1
    fi
  fi
  # One build at a time in a tree, whoever asks: another kata/watch, or a second terminal.
  local lock
  exec {lock}>.kata/build.lock
  if ! flock -n "$lock"; then
    echo "Another build of this course is running; waiting for it to end."
    flock "$lock"
  fi
  started=$(date +%s%N)
  ctest --preset default -R "^$step\\." >"$log" 2>&1 || true
  # The build found a test the run did not know: the step builds, so the next run has them all.
  if grep -q "tests changed since this ctest run read their list" "$log"; then
    ctest --preset default -R "^$step\\." >"$log" 2>&1 || true
  fi
  exec {lock}>&-
  elapsed=$((($(date +%s%N) - started) / 1000000))
  elapsed="$((elapsed / 1000)).$(((elapsed % 1000) / 100)) s"

  local -a names statuses
  local name status
  while read -r _ name status; do names+=("$name") statuses+=("$status"); done < <(kata_results "$log" "$step")
  local total=${#names[@]} passed=0 i
  for status in "${statuses[@]}"; do [[ "$status" == Passed ]] && passed=$((passed + 1)); done

  local short=${step%%_*}
  if grep -qE "^ *[0-9]+/[0-9]+ Test +#[0-9]+: $step\\.build \\.+ *\\*\\*\\*" "$log"; then
    echo "broken 0 $total $fingerprint" >".kata/$step/progress"
    echo "${kata_red}${kata_bold}$step does not compile${kata_plain} ($elapsed)"
    echo
    kata_first_error "$log"
    echo
    echo "The compiler's other messages: $log"
    echo "Stuck? kata/hint $short"
    return 1
  fi
  if ((total == 0)); then
    cat "$log"
    echo "${kata_red}ctest ran no test of $step${kata_plain}: its output is above (and in $log)"
    return 1
  fi
  if ((passed == total)); then
    echo "green $passed $total $fingerprint" >".kata/$step/progress"
    kata_next "$step"
    echo "${kata_green}${kata_bold}$step is green: all $total tests pass${kata_plain} ($elapsed)"
    if ! kata_is_reference "$step"; then
      echo "Compare yours with the reference: git diff HEAD -- $step"
    fi
    echo "Read next: $next_page"
    echo "Then: $next_command"
    return 0
  fi
  echo "red $passed $total $fingerprint" >".kata/$step/progress"
  echo "${kata_red}${kata_bold}$step is red: $passed of $total tests pass${kata_plain} ($elapsed)"
  local first=""
  for i in "${!names[@]}"; do
    [[ "${statuses[$i]}" == Passed ]] && continue
    if [[ -z "$first" ]]; then
      first=${names[$i]#"$step."}
      echo
      echo "${kata_red}✗ $first${kata_plain} (${statuses[$i]#\*\*\*})"
      kata_test_output "$log" "${names[$i]}"
      echo
    else
      echo "${kata_red}✗${kata_plain} ${names[$i]#"$step."} (${statuses[$i]#\*\*\*})"
    fi
  done
  echo "Next: make $first pass. Stuck? kata/hint $short"
  return 1
}

# The hints of a step: kata/hints/<step>.md, a numbered list, gentlest first. Sets `hints`, one
# hint an element, without its number and indentation.
kata_hints() {
  local file="kata/hints/$1.md" line
  hints=()
  [[ -f "$file" ]] || return 0
  while IFS= read -r line; do
    if [[ "$line" =~ ^[0-9]+\.\ (.*)$ ]]; then hints+=("${BASH_REMATCH[1]}")
    elif ((${#hints[@]} > 0)) && [[ -n "$line" ]]; then
      hints[-1]+=$'\n'"${line#"   "}"
    fi
  done <"$file"
}
