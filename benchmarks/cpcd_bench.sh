#!/usr/bin/env bash
# Real playlist conversations (CPCD) replayed turn by turn through `musicagent serve`
# (POST /api/chat: the real agent loop, the offline planner, the real tools on the warehouse),
# scored per half of a fixed hash split (benchmarks/cpcd_replay.py says how).
#
#   benchmarks/cpcd_bench.sh [--baseline COMMIT] [--half rules|scored|both] [--limit N]
#
# --baseline COMMIT also builds that commit (in var/bench/baseline-COMMIT, a git worktree, with
# its own search index) and replays the same conversations through it, side by side.
# Needs a built warehouse (scripts/setup.sh), Debian's python3 with python3-psycopg2, and the
# CPCD file in the data directory (cpcd/cpcd_v1.dialogs.dev.train.jsonl). The replayed
# conversations are stored in app.* like any others.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
baseline="" half=both limit=0
while [ $# -gt 0 ]; do
  case "$1" in
    --baseline) baseline="$2"; shift 2 ;;
    --half) half="$2"; shift 2 ;;
    --limit) limit="$2"; shift 2 ;;
    *) echo "cpcd_bench.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
PY=/usr/bin/python3
$PY -c 'import psycopg2' 2>/dev/null || { echo "cpcd_bench.sh: needs python3-psycopg2 (apt-get install python3-psycopg2)" >&2; exit 2; }
data_dir="${MUSICAGENT_DATA_DIR:-$repo/../shared/data}"
cpcd="$data_dir/cpcd/cpcd_v1.dialogs.dev.train.jsonl"
[ -f "$cpcd" ] || { echo "cpcd_bench.sh: $cpcd not found (set MUSICAGENT_DATA_DIR)" >&2; exit 2; }
database_url="${DATABASE_URL:-$(cat "$repo/var/database_url")}"
export DATABASE_URL="$database_url"
mkdir -p benchmarks/results var/bench

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# serve BINARY HOME LABEL: starts a server and prints its URL once /healthz answers.
serve() {
  local binary="$1" home="$2" label="$3" port
  port="$(free_port)"
  MUSICAGENT_HOME="$home" "$binary" serve --port "$port" --workers 2 >"var/bench/$label.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 600); do
    if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then echo "http://127.0.0.1:$port"; return; fi
    sleep 0.5
  done
  echo "cpcd_bench.sh: the $label server did not start; see var/bench/$label.log" >&2
  exit 1
}

[ -x build/musicagent ] || ./scripts/build.sh
labels=(current)
urls=("$(serve "$repo/build/musicagent" "$repo" current)")
if [ -n "$baseline" ]; then
  tree="$repo/var/bench/baseline-$baseline"
  if [ ! -d "$tree" ]; then git worktree add --detach "$tree" "$baseline" >/dev/null; fi
  if [ ! -x "$tree/build/musicagent" ]; then
    echo "==> building $baseline (the command-line program only)" >&2
    cmake -S "$tree" -B "$tree/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMUSICAGENT_BUILD_TESTS=OFF \
      -DMUSICAGENT_BUILD_BENCHMARKS=OFF >/dev/null
    cmake --build "$tree/build" --target musicagent
  fi
  if [ ! -e "$tree/var/index/current/manifest.json" ]; then
    echo "==> its search index" >&2
    MUSICAGENT_HOME="$tree" "$tree/build/musicagent" index build >&2
  fi
  labels+=("baseline-$baseline")
  urls+=("$(serve "$tree/build/musicagent" "$tree" "baseline-$baseline")")
fi

reports=()
for i in "${!labels[@]}"; do
  out="benchmarks/results/cpcd_${labels[$i]}.json"
  $PY benchmarks/cpcd_replay.py --base-url "${urls[$i]}" --database-url "$database_url" --cpcd "$cpcd" \
    --half "$half" --limit "$limit" --label "${labels[$i]}" --output "$out" \
    --turns "var/bench/cpcd_turns_${labels[$i]}.jsonl"
  reports+=("$out")
done

# Side by side.
$PY - "${reports[@]}" <<'EOF'
import json, sys
reports = [json.load(open(p)) for p in sys.argv[1:]]
metrics = ["answered_with_tracks", "answered_requests", "named_artist", "genre_named", "genre_named_everyday_words",
           "genre_excluded_kept_out", "liked_artist_hit10", "liked_track_hit10"]
for half in ("rules", "scored"):
    if not all(half in r["halves"] for r in reports):
        continue
    print(f"\n{half} half ({reports[0]['halves'][half]['conversations']} conversations, {reports[0]['halves'][half]['turns']} turns)")
    print("| measure | " + " | ".join(r["label"] for r in reports) + " |")
    print("|---|" + "---:|" * len(reports))
    for m in metrics:
        cells = []
        for r in reports:
            v = r["halves"][half][m]
            cells.append(f"{v['rate']:.3f} ({v['hits']}/{v['total']})" if v["rate"] is not None else "-")
        print(f"| {m} | " + " | ".join(cells) + " |")
    print("| errors | " + " | ".join(str(r["halves"][half]["errors"]) for r in reports) + " |")
    print("| turn latency p50 / p95 ms | " + " | ".join(
        f"{r['halves'][half]['latency_ms']['p50']} / {r['halves'][half]['latency_ms']['p95']}" for r in reports) + " |")
EOF
