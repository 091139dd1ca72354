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

# The step is the reference solution: nothing changed, added or removed since git's HEAD.
kata_is_reference() {
  [[ -z "$(git status --porcelain --untracked-files=all -- "$1")" ]]
}

# The step is exactly as kata/start left it: nothing of the learner's in it. Compares git's
# hashes of the files, so that a whole step costs a few commands.
kata_is_start() {
  local step=$1 previous mode type hash name i
  previous=$(kata_previous "$step")
  local -A want=()
  while read -r mode type hash name; do want[$name]=$hash; done < <(git ls-tree "HEAD:$step")
  while read -r mode type hash name; do
    if [[ -v "want[$name]" ]] && ! kata_keeps "$name"; then want[$name]=$hash; fi
  done < <(git ls-tree "HEAD:$previous")
  local -a present hashes
  mapfile -t present < <(cd "$step" && find . -mindepth 1 -printf '%P\n')
  ((${#present[@]} == ${#want[@]})) || return 1
  for name in "${present[@]}"; do [[ -v "want[$name]" && -f "$step/$name" ]] || return 1; done
  mapfile -t hashes < <(git hash-object -- "${present[@]/#/$step/}")
  for i in "${!present[@]}"; do [[ "${hashes[$i]}" == "${want[${present[$i]}]}" ]] || return 1; done
}
