#!/usr/bin/env bash
# Builds and runs every test: unit tests, and integration tests on a PostgreSQL cluster the
# tests start themselves in a temporary folder (including the full pipeline on the real data
# when it is present). Extra arguments go to ctest, e.g. -L unit.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${MUSICAGENT_BUILD_DIR:-$repo/build}"
"$repo/scripts/build.sh"
# CI must run the browser test rather than skip it (it needs chromium and `npm ci` in web/).
if [ "${CI:-}" = true ]; then export MUSICAGENT_REQUIRE_E2E="${MUSICAGENT_REQUIRE_E2E:-1}"; fi
ctest --test-dir "$build_dir" --output-on-failure "$@"

# The evaluation suite on the warehouse that setup.sh built (skipped when ctest was given
# arguments, or when there is no warehouse yet): the offline planner, then the checked-in
# cassettes replayed through the real HTTP client.
if [[ $# -eq 0 ]] && "$build_dir/musicagent" pipeline status >/dev/null 2>&1; then
  "$build_dir/musicagent" eval --mode offline --min-pass 0.95
  "$build_dir/musicagent" eval --mode replay --min-pass 0.95
elif [[ $# -eq 0 ]]; then
  echo "test.sh: no warehouse (run ./scripts/setup.sh): skipping the evaluation suite" >&2
fi
