#!/usr/bin/env bash
# Configures and builds into build/ (extra arguments go to cmake's configure step).
# MUSICAGENT_WERROR=1 turns warnings into errors (as CI does).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${MUSICAGENT_BUILD_DIR:-$repo/build}"
werror=OFF
[ "${MUSICAGENT_WERROR:-0}" = 1 ] && werror=ON
# ccache, when installed, makes rebuilds of an unchanged tree (another clone, a CI re-run) quick.
launcher=()
if command -v ccache >/dev/null 2>&1; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMUSICAGENT_WERROR="$werror" \
  "${launcher[@]}" "$@" >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)"
