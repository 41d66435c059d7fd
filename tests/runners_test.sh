#!/usr/bin/env bash
# The two commands of the README (examples/run, tests/run):
#  1. without root and without sudo, with a package missing, each prints the
#     apt-get line to run as root and the plain CMake commands, and exits 69;
#  2. in a fresh clone, examples/run builds and runs fit_curve, writes its plot to
#     .out/ and leaves `git status --porcelain` empty.
# (tests/run checks its own tree stays clean at its end.)
#   tests/runners_test.sh WORK_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$1
rm -rf "$work"
mkdir -p "$work/bin"

# 1. A PATH with bash and the few tools the scripts use before apt-get, a uid that
#    is not root, every package missing, and no sudo.
for tool in bash dirname cat; do ln -s "$(command -v "$tool")" "$work/bin/$tool"; done
printf '#!/bin/sh\n[ "$1" = -u ] && echo 1000 || echo hinge\n' >"$work/bin/id"
printf '#!/bin/sh\nexit 1\n' >"$work/bin/dpkg-query"
chmod +x "$work/bin/id" "$work/bin/dpkg-query"
for runner in examples/run tests/run; do
  status=0
  PATH=$work/bin "$root/$runner" >"$work/out.txt" 2>"$work/err.txt" || status=$?
  if [ "$status" != 69 ]; then
    echo "$runner without root or sudo exited $status, not 69:"; cat "$work/err.txt"; exit 1
  fi
  for want in "apt-get install -y --no-install-recommends g++ cmake ninja-build" \
              "cmake -B build -G Ninja && cmake --build build && ctest --test-dir build"; do
    grep -qF -- "$want" "$work/err.txt" || { echo "$runner did not print '$want':"; cat "$work/err.txt"; exit 1; }
  done
done

# 2. A fresh clone of the committed tree.
if ! git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  echo "not a git checkout: the clean-tree check is skipped"; exit 77
fi
git clone -q --no-hardlinks "$root" "$work/clone"
(cd "$work/clone" && examples/run >"$work/run.txt" 2>&1) || { cat "$work/run.txt"; exit 1; }
grep -qF "examples/run: fit_curve writes to $work/clone/.out/" "$work/run.txt" || {
  echo "examples/run did not say where it writes:"; cat "$work/run.txt"; exit 1
}
[ -s "$work/clone/.out/fit_curve.svg" ] || { echo "no .out/fit_curve.svg"; exit 1; }
dirty=$(git -C "$work/clone" status --porcelain --untracked-files=all)
[ -z "$dirty" ] || { echo "examples/run left the tree dirty:"; echo "$dirty"; exit 1; }
rm -rf "$work"
