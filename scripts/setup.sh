#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a loaded warehouse:
# packages, build, a local PostgreSQL under var/ (unless DATABASE_URL is set), the pipeline.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

echo "==> Debian packages" >&2
./scripts/install-deps.sh

echo "==> Build" >&2
./scripts/build.sh

echo "==> Web page libraries (npm ci in web/: marked, DOMPurify; playwright-core and ws for tests)" >&2
(cd web && npm ci --no-audit --no-fund --loglevel=error && npm run --silent vendor)

if [ -z "${DATABASE_URL:-}" ]; then
  echo "==> Local PostgreSQL under var/" >&2
  ./scripts/local-postgres.sh start
else
  echo "==> Using DATABASE_URL (local cluster not started)" >&2
fi

data_dir="${MUSICAGENT_DATA_DIR:-$repo/../shared/data}"
[ -d "$data_dir" ] || data_dir="$repo/data"
if [ -e "$data_dir/spotify_tracks/dataset.csv.gz" ] || [ -e "$data_dir/spotify_tracks/dataset.csv" ]; then
  echo "==> Pipeline on $data_dir" >&2
  ./build/musicagent pipeline run --data-dir "$data_dir"
else
  echo "No data found in $data_dir: download it as README.md (Data) says, then run" >&2
  echo "  ./build/musicagent pipeline run --data-dir DIR" >&2
fi
# Put `musicagent` on PATH.
if [ "$(id -u)" = 0 ]; then bin_dir=/usr/local/bin; else bin_dir="$HOME/.local/bin"; mkdir -p "$bin_dir"; fi
ln -sf "$repo/build/musicagent" "$bin_dir/musicagent"
case ":$PATH:" in
  *":$bin_dir:"*) echo "==> Ready. Try: musicagent pipeline status" >&2 ;;
  *) echo "==> Ready. Add $bin_dir to PATH, or run ./build/musicagent pipeline status" >&2 ;;
esac
