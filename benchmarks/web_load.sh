#!/usr/bin/env bash
# Load on `musicagent serve` (offline planner) over loopback WebSockets: 1,000 sessions each
# running one turn at the same instant (burst), the same 1,000 sending 3 turns each with up to
# 30 s between them (steady), then 10,000 idle connections with the server's RSS. Needs the
# warehouse and index (scripts/setup.sh) and `npm ci` in web/ (for ws).
# Usage: benchmarks/web_load.sh [TURN_SESSIONS] [IDLE_SESSIONS]; writes benchmarks/results/web_load.json.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${MUSICAGENT_BUILD_DIR:-$repo/build}"
turn_sessions="${1:-1000}"
idle_sessions="${2:-10000}"
port="${MUSICAGENT_BENCH_PORT:-18765}"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
ulimit -n 20000 2>/dev/null || true

log="$(mktemp)"
MUSICAGENT_WEB_IDLE_TIMEOUT_MS=600000 "$build_dir/musicagent" serve --port "$port" >"$log" 2>&1 &
server=$!
trap 'kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
url="ws://127.0.0.1:$port/ws"
# One warm-up turn loads the catalogue index.
curl -sf -X POST "http://127.0.0.1:$port/api/chat" -d '{"text":"some jazz"}' >/dev/null
turns="$(node "$repo/benchmarks/web_load.mjs" turns --url "$url" --sessions "$turn_sessions" --pid "$server")"
echo "$turns" >&2
steady="$(node "$repo/benchmarks/web_load.mjs" steady --url "$url" --sessions "$turn_sessions" --turns 3 --think-ms 30000 --pid "$server")"
echo "$steady" >&2
idle="$(node "$repo/benchmarks/web_load.mjs" idle --url "$url" --sessions "$idle_sessions" --pid "$server" --hold-ms 5000)"
echo "$idle" >&2
mkdir -p "$repo/benchmarks/results"
printf '{"machine":"%s cores","burst":%s,"steady":%s,"idle":%s}\n' "$(nproc)" "$turns" "$steady" "$idle" \
  >"$repo/benchmarks/results/web_load.json"
echo "wrote benchmarks/results/web_load.json" >&2
