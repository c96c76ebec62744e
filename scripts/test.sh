#!/usr/bin/env bash
# Builds and runs every test: unit tests, and integration tests on a PostgreSQL cluster the
# tests start themselves in a temporary folder (including the full pipeline on the real data
# when it is present). Extra arguments go to ctest, e.g. -L unit.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${MUSICAGENT_BUILD_DIR:-$repo/build}"
"$repo/scripts/build.sh"
ctest --test-dir "$build_dir" --output-on-failure "$@"
