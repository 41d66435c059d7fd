# Sourced by tests/run and examples/run: installs the Debian packages hinge needs
# (only those missing), then configures and builds into $HINGE_BUILD (default .build/: the design keeps the
# top level to its fixed folders, and dot-folders).
set -euo pipefail
HINGE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HINGE_BUILD=${HINGE_BUILD:-$HINGE_ROOT/.build}

# hinge_install PKG...: apt-get install whichever of PKG is not installed yet. Without
# root and without sudo it prints the apt-get line to run as root and the plain
# CMake commands, and exits 69 (EX_UNAVAILABLE) rather than fail inside apt-get.
hinge_install() {
  local missing=()
  local status
  for p in "$@"; do
    # Captured, not piped into grep -q: under pipefail an early grep exit can fail
    # the pipe and count an installed package as missing.
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ $status == *"install ok installed"* ]] || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null; then
      cat >&2 <<EOF
hinge: these Debian packages are missing: ${missing[*]}
You are not root and there is no sudo. As root, run:
    apt-get install -y --no-install-recommends ${missing[*]}
Then build by hand (README.md, "Building by hand"):
    cmake -B build -G Ninja && cmake --build build && ctest --test-dir build
EOF
      exit 69
    fi
    sudo="sudo"
  fi
  echo "hinge: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

HINGE_PACKAGES=(g++ cmake ninja-build pkg-config libboost-dev libfmt-dev catch2 libedit-dev libopenblas-dev)

# hinge_build [cmake args...]: configure and build everything ($HINGE_TARGET, when
# set, builds only that target: examples/run needs just the `hinge` command).
hinge_build() {
  # ccache, when a developer has it, makes rebuilds across build folders cheap.
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # Portable unless asked (HINGE_NATIVE=ON): named, so a build folder configured
  # when the default was native does not stay native.
  cmake -S "$HINGE_ROOT" -B "$HINGE_BUILD" -G Ninja "${launcher[@]}" -DHINGE_NATIVE="${HINGE_NATIVE:-OFF}" "$@" >/dev/null
  cmake --build "$HINGE_BUILD" -j "$(nproc)" ${HINGE_TARGET:+--target "$HINGE_TARGET"}
}
