#!/usr/bin/env bash
# Benchmark: the catalogue search (rag/) on the full data. Builds rag_bench and runs it.
#
# What it measures (details at the top of benchmarks/rag_bench.cpp):
#   quality       precision@10 of CatalogIndex::search(kind=track) on benchmarks/rag_queries.json,
#                 each query graded by its SQL check, beside PostgreSQL full-text search
#                 (websearch_to_tsquery, and an OR of the query's words) over the same documents
#   index types   recall@10 vs exact search, build time, one-thread latency and memory of the
#                 product's Sparse store and FAISS index types (Flat, PCA+HNSW, IVF) on the
#                 description channel at the default dimension
#   whole index   CatalogIndex::build / load time, end-to-end search() latency, RSS
#
# Run:  benchmarks/rag_bench.sh [--quick] [--slow] [any other rag_bench option, see --help]
#   --quick   a smoke run (only the product's default index, a few index types, 100 queries)
#   --slow    also the index types that build for more than ~3 minutes here (HNSW32 and
#             PCA64,HNSW32 on the description vectors, and HNSW32 as a whole index)
# A full run takes about 10 minutes on 2 busy cores (the PCA128,HNSW32 and IVF builds dominate). Indexes are built in a temporary folder, so the
# product's var/index is never touched. Database: DATABASE_URL, else var/database_url.
# Build folder: BUILD_DIR (default build-bench). Prints Markdown tables; the raw results go to
# benchmarks/results/rag_bench.json (rag_bench_quick.json with --quick; or --output FILE).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO/build-bench}

case ${1:-} in
  -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
esac

if [[ ! -f $BUILD_DIR/build.ninja ]]; then
  cmake -S "$REPO" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DMUSICAGENT_BUILD_TESTS=OFF -DMUSICAGENT_BUILD_BENCHMARKS=ON >&2
fi
cmake --build "$BUILD_DIR" --target rag_bench >&2

ARGS=(--queries "$REPO/benchmarks/rag_queries.json")
if [[ -n ${DATABASE_URL:-} ]]; then
  ARGS+=(--database-url "$DATABASE_URL")
elif [[ -f $REPO/var/database_url ]]; then
  ARGS+=(--database-url "$(<"$REPO/var/database_url")")
fi
# Later arguments win, so the caller can override --queries and --database-url.
exec "$BUILD_DIR/benchmarks/rag_bench" "${ARGS[@]}" "$@"
