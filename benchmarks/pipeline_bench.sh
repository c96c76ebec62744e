#!/usr/bin/env bash
# Benchmark: the C++ ELT pipeline against its Python peer, on the same data and server.
#
# What it measures, per step (load of each source file, build of each model) and in total:
#   cpp         musicagent pipeline run --full-refresh --json -q      (database bench_cpp)
#   peer        benchmarks/peer/python_pipeline.py, execute_values     (database bench_peer)
#   peer_copy   benchmarks/peer/python_pipeline.py --load-method copy (database bench_peer_copy)
# Each database is dropped and recreated before every run, so every run starts from empty.
# The three variants run interleaved, --repeat N times (default 3); the table shows medians.
# Note: a C++ model step also adds comments, builds the indexes declared in the .yml files,
# ANALYZEs and runs the data tests; the peer only creates the view/table and counts rows. The
# table therefore also shows the C++ transform without its data tests (from ops.test_results).
#
# Run, after building the project (binary at build/musicagent, or set MUSICAGENT_BIN):
#   benchmarks/pipeline_bench.sh [--repeat N] [--data-dir DIR]
# Database: DATABASE_URL, else var/database_url. Databases are created by that role when it may
# CREATE DATABASE, else by ADMIN_DATABASE_URL (default: user postgres on the same host and port).
# Prints a Markdown table; the raw results go to benchmarks/results/pipeline_bench.json.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3  # Debian's python3: it has pandas, psycopg2 and yaml
BIN=${MUSICAGENT_BIN:-$REPO/build/musicagent}
PEER=$REPO/benchmarks/peer/python_pipeline.py
RESULTS=$REPO/benchmarks/results/pipeline_bench.json
REPEAT=3
DATA_DIR=${MUSICAGENT_DATA_DIR:-}

die() { echo "pipeline_bench: $*" >&2; exit 1; }
say() { echo "pipeline_bench: $*" >&2; }

while [[ $# -gt 0 ]]; do
  case $1 in
    --repeat) REPEAT=${2:?--repeat needs a number}; shift 2 ;;
    --data-dir) DATA_DIR=${2:?--data-dir needs a folder}; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (try --help)" ;;
  esac
done
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "--repeat must be a positive whole number, not '$REPEAT'"

# --- preconditions --------------------------------------------------------------------------
[[ -x $BIN ]] || die "no musicagent binary at $BIN: build the project first (cmake --build build) or set MUSICAGENT_BIN"
[[ -x $PY ]] || die "$PY not found (the peer needs Debian's python3 with python3-pandas and python3-psycopg2)"
"$PY" -c 'import pandas, psycopg2, yaml' 2>/dev/null ||
  die "$PY lacks pandas, psycopg2 or yaml (apt-get install python3-pandas python3-psycopg2 python3-yaml)"
command -v psql >/dev/null || die "psql not found (postgresql-client)"

if [[ -z $DATA_DIR ]]; then  # the same default as the C++ config
  if [[ -d $REPO/../shared/data ]]; then DATA_DIR=$(cd "$REPO/../shared/data" && pwd); else DATA_DIR=$REPO/data; fi
fi
first_existing() {  # first_existing NAME CANDIDATE... : prints the first file that exists
  local name=$1; shift
  for candidate in "$@"; do [[ -f $DATA_DIR/$candidate ]] && { echo "$DATA_DIR/$candidate"; return; }; done
  die "no data file for $name in $DATA_DIR (looked for: $*); see README.md (Data) for where to download it"
}
DATA_FILES=("$(first_existing kaggle.tracks spotify_tracks/dataset.csv.gz spotify_tracks/dataset.csv dataset.csv.gz dataset.csv)")
for f in artists tags user_artists user_friends user_taggedartists; do
  DATA_FILES+=("$(first_existing "lastfm.$f" "lastfm_hetrec2011/$f.dat" "hetrec2011-lastfm-2k/$f.dat" "$f.dat")")
done

if [[ -z ${DATABASE_URL:-} ]]; then
  [[ -f $REPO/var/database_url ]] || die "set DATABASE_URL (no $REPO/var/database_url either)"
  DATABASE_URL=$(head -n1 "$REPO/var/database_url" | tr -d '\r')
fi

# url_with DB [USER]: DATABASE_URL pointing at another database (and optionally another user).
url_with() {
  "$PY" - "$DATABASE_URL" "$@" <<'EOF'
import sys
from urllib.parse import urlsplit, urlunsplit
url, db = sys.argv[1], sys.argv[2]
parts = urlsplit(url)
netloc = parts.netloc
if len(sys.argv) > 3:  # another user, no password
    netloc = sys.argv[3] + "@" + netloc.rpartition("@")[2]
print(urlunsplit((parts.scheme, netloc, "/" + db, parts.query, parts.fragment)))
EOF
}

psql -X -q -At -d "$DATABASE_URL" -c 'select 1' >/dev/null 2>&1 || die "cannot connect to $DATABASE_URL"
OWNER=$(psql -X -At -d "$DATABASE_URL" -c 'select current_user')
if [[ $(psql -X -At -d "$DATABASE_URL" -c 'select rolcreatedb or rolsuper from pg_roles where rolname = current_user') == t ]]; then
  ADMIN_URL=${ADMIN_DATABASE_URL:-$DATABASE_URL}
else
  ADMIN_URL=${ADMIN_DATABASE_URL:-$(url_with postgres postgres)}
fi
psql -X -q -At -d "$ADMIN_URL" -c 'select 1' >/dev/null 2>&1 ||
  die "role $OWNER may not CREATE DATABASE and $ADMIN_URL does not connect: set ADMIN_DATABASE_URL to a role that can"

recreate_db() {
  PGOPTIONS='-c client_min_messages=warning' psql -X -q -d "$ADMIN_URL" -v ON_ERROR_STOP=1 \
    -c "drop database if exists $1 with (force)" -c "create database $1 owner \"$OWNER\"" >&2 ||
    die "could not recreate database $1 (as $ADMIN_URL)"
  psql -X -q -At -d "$(url_with "$1")" -c 'select 1' >/dev/null || die "could not recreate database $1"
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cat "${DATA_FILES[@]}" >/dev/null  # page cache warm for every variant alike

# --- runs ---------------------------------------------------------------------------------
declare -A DB=([cpp]=bench_cpp [peer]=bench_peer [peer_copy]=bench_peer_copy)
for rep in $(seq 1 "$REPEAT"); do
  for variant in cpp peer peer_copy; do
    say "run $rep/$REPEAT: $variant (database ${DB[$variant]})"
    recreate_db "${DB[$variant]}"
    url=$(url_with "${DB[$variant]}")
    out=$WORK/$variant.$rep
    start=$(now_ms)
    case $variant in
      cpp) DATABASE_URL=$url MUSICAGENT_HOME=$REPO MUSICAGENT_DATA_DIR=$DATA_DIR \
             "$BIN" pipeline run --full-refresh --json -q >"$out.json" 2>"$out.err" || true ;;
      peer) "$PY" "$PEER" --database-url "$url" --data-dir "$DATA_DIR" >"$out.json" 2>"$out.err" || true ;;
      peer_copy) "$PY" "$PEER" --database-url "$url" --data-dir "$DATA_DIR" --load-method copy \
                   >"$out.json" 2>"$out.err" || true ;;
    esac
    echo $(( $(now_ms) - start )) >"$out.wall"
    if ! jq -e 'has("steps") and ((.status // "success") == "success")' "$out.json" >/dev/null 2>&1; then
      cat "$out.err" "$out.json" >&2 2>/dev/null || true
      die "$variant run $rep failed (output above)"
    fi
    if [[ $variant == cpp ]]; then  # time the C++ model steps spent in data tests
      psql -X -At -d "$url" -c "select coalesce(json_object_agg(model, ms), '{}') from (select model, sum(elapsed_ms) as ms
        from ops.test_results where run_id = $(jq .run_id "$out.json") group by model) t" >"$out.tests"
    else
      echo '{}' >"$out.tests"
    fi
  done
done

# --- report -------------------------------------------------------------------------------
mkdir -p "$(dirname "$RESULTS")"
PG_VERSION=$(psql -X -At -d "$DATABASE_URL" -c 'show server_version')
GIT_COMMIT=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
"$PY" - "$WORK" "$REPEAT" "$RESULTS" "$BIN" "$DATA_DIR" "$PG_VERSION" "$GIT_COMMIT" <<'EOF'
import json, os, statistics, sys, datetime
work, repeat, results_path, binary, data_dir, pg_version, commit = sys.argv[1:8]
repeat = int(repeat)
variants = ["cpp", "peer", "peer_copy"]
labels = {"cpp": "C++ ms", "peer": "Python execute_values ms", "peer_copy": "Python copy ms"}

runs = {v: [] for v in variants}
for v in variants:
    for rep in range(1, repeat + 1):
        base = os.path.join(work, f"{v}.{rep}")
        summary = json.load(open(base + ".json"))
        steps = {s["step"]: s["elapsed_ms"] for s in summary["steps"]}
        kinds = {s["step"]: s["kind"] for s in summary["steps"]}
        tests = json.load(open(base + ".tests"))
        load = sum(ms for s, ms in steps.items() if kinds[s] == "load")
        transform = sum(ms for s, ms in steps.items() if kinds[s] == "model")
        if v == "cpp":
            rows = {l["source"]: l["rows_loaded"] for l in summary["loads"]}
            rows.update({m["model"]: m["rows"] for m in summary["models"]})
        else:
            rows = {s["step"].split(" ", 1)[1]: s.get("rows") for s in summary["steps"]}
        runs[v].append({
            "rep": rep, "steps": steps, "kinds": kinds, "rows": rows, "test_ms_by_model": tests,
            "extract_load_ms": load, "transform_ms": transform,
            "transform_excl_tests_ms": transform - sum(tests.values()),
            "reported_total_ms": summary.get("elapsed_ms", summary.get("total_ms")),
            "process_wall_ms": float(open(base + ".wall").read()),
            "summary": summary,
        })

def median(values):
    values = [x for x in values if x is not None]
    return statistics.median(values) if values else None

order = list(runs["cpp"][0]["steps"])
for v in variants[1:]:
    order += [s for s in runs[v][0]["steps"] if s not in order]
medians = {v: {"steps": {s: median([r["steps"].get(s) for r in runs[v]]) for s in order}} for v in variants}
totals = ["extract_load_ms", "transform_ms", "transform_excl_tests_ms", "reported_total_ms", "process_wall_ms"]
for v in variants:
    for t in totals:
        medians[v][t] = median([r[t] for r in runs[v]])

def cell(x, digits=0):
    return "-" if x is None else f"{x:,.{digits}f}"

out = []
out.append(f"Pipeline benchmark: median of {repeat} run(s) per variant, {datetime.date.today()}, "
           f"PostgreSQL {pg_version}, {os.cpu_count()} CPUs, commit {commit}.")
out.append("")
out.append("| step | " + " | ".join(labels[v] for v in variants) + " |")
out.append("|---|" + "---:|" * len(variants))
for s in order:
    out.append(f"| {s} | " + " | ".join(cell(medians[v]["steps"][s]) for v in variants) + " |")
rows = [("**extract+load total**", "extract_load_ms"), ("**transform total**", "transform_ms"),
        ("transform total without C++ data tests", "transform_excl_tests_ms"),
        ("**whole run** (as the program reports it)", "reported_total_ms"),
        ("whole run, process wall time (incl. start-up)", "process_wall_ms")]
for label, key in rows:
    out.append(f"| {label} | " + " | ".join(cell(medians[v][key]) for v in variants) + " |")
for label, key in [("**ratio Python/C++, extract+load**", "extract_load_ms"),
                   ("ratio Python/C++, whole run (reported)", "reported_total_ms")]:
    base = medians["cpp"][key]
    out.append(f"| {label} | 1.0x | " + " | ".join(f"{medians[v][key] / base:.1f}x" for v in variants[1:]) + " |")

# The variants must have loaded and built the same number of rows.
mismatches = []
for v in variants[1:]:
    for rep, (a, b) in enumerate(zip(runs["cpp"], runs[v]), 1):
        for name in sorted(set(a["rows"]) | set(b["rows"])):
            if a["rows"].get(name) != b["rows"].get(name):
                mismatches.append(f"{v} run {rep} {name}: C++ {a['rows'].get(name)} vs {b['rows'].get(name)}")
out.append("")
out.append("Row counts (raw loads and models) identical across the three variants: " +
           ("yes" if not mismatches else "NO\n  " + "\n  ".join(mismatches)))
print("\n".join(out))

json.dump({"meta": {"date": datetime.datetime.now().isoformat(timespec="seconds"), "repeat": repeat,
                    "binary": binary, "data_dir": data_dir, "postgres": pg_version,
                    "cpus": os.cpu_count(), "commit": commit,
                    "databases": {"cpp": "bench_cpp", "peer": "bench_peer", "peer_copy": "bench_peer_copy"}},
           "medians": medians, "row_count_mismatches": mismatches, "runs": runs},
          open(results_path, "w"), indent=2)
print(f"\nRaw results: {os.path.relpath(results_path)}", file=sys.stderr)
EOF
