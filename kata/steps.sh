# What kata/start and kata/solution share: which steps there are, what a step starts from as a
# kata, and whether it holds work of the learner's. Sourced, not run; needs a git clone.
set -euo pipefail
shopt -s nullglob

kata_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$kata_root"
if [[ "$(git rev-parse --show-toplevel 2>/dev/null)" != "$kata_root" ]]; then
  echo "kata: $kata_root is not a git clone; kata mode restores the reference solution from" \
       "git, so it needs the course cloned with git" >&2
  exit 2
fi

kata_steps=(step[0-9][0-9]_*)
mapfile -t kata_tests < <(grep -v -e '^#' -e '^[[:space:]]*$' kata/test_files.txt)

# Sets kata_chosen to the steps NAME names: --all, a step's folder, or its first word (step03).
kata_choose() {
  local name=${1%/} step
  kata_chosen=()
  if [[ "$name" == --all ]]; then kata_chosen=("${kata_steps[@]}"); return; fi
  for step in "${kata_steps[@]}"; do
    if [[ "$step" == "$name" || "${step%%_*}" == "$name" ]]; then kata_chosen=("$step"); fi
  done
  if ((${#kata_chosen[@]} == 0)); then
    echo "kata: no step called '$name'; the steps are: ${kata_steps[*]%%_*} (or --all)" >&2
    exit 2
  fi
}

# The folder a step's kata starts from: its tests stay, its code is that folder's.
kata_previous() {
  local previous=kata/before_step01 step
  for step in "${kata_steps[@]}"; do
    if [[ "$step" == "$1" ]]; then echo "$previous"; return; fi
    previous=$step
  done
}

# Whether a file of a step stays when the step starts as a kata: its tests, and its
# CMakeLists.txt (the same in every step).
kata_keeps() {
  local name=$1 test
  [[ "$name" == CMakeLists.txt ]] && return 0
  for test in "${kata_tests[@]}"; do [[ "$name" == "$test" ]] && return 0; done
  return 1
}

# The path, in git's HEAD, of what a step's file holds when the step starts as a kata.
kata_start_source() {
  local step=$1 name=$2
  if kata_keeps "$name"; then echo "HEAD:$step/$name"; else echo "HEAD:$(kata_previous "$step")/$name"; fi
}

# The step is the reference solution: nothing changed, added or removed since git's HEAD.
kata_is_reference() {
  [[ -z "$(git status --porcelain --untracked-files=all -- "$1")" ]]
}

# The step is exactly as kata/start left it: nothing of the learner's in it.
kata_is_start() {
  local step=$1 name present expected
  present=$(cd "$step" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort)
  expected=$(git ls-tree --name-only "HEAD:$step" | LC_ALL=C sort)
  [[ "$present" == "$expected" ]] || return 1
  while IFS= read -r name; do
    git cat-file blob "$(kata_start_source "$step" "$name")" 2>/dev/null | cmp -s - "$step/$name" || return 1
  done <<<"$expected"
}
