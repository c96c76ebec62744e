#!/usr/bin/env bash
# Agent loop overhead per turn (excluding model and tool time) against a scripted
# OpenAI-compatible server over real HTTP, and memory per open conversation.
# usage: benchmarks/agent_bench.sh [--turns N] [--conversations N]
# Build folder: BUILD_DIR (default build-bench). Results: benchmarks/results/agent_bench.json.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO/build-bench}
if [[ ! -f $BUILD_DIR/build.ninja ]]; then
  cmake -S "$REPO" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DMUSICAGENT_BUILD_TESTS=OFF -DMUSICAGENT_BUILD_BENCHMARKS=ON >&2
fi
cmake --build "$BUILD_DIR" --target agent_bench >&2
exec "$BUILD_DIR/benchmarks/agent_bench" "$@"
