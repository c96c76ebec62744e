#!/usr/bin/python3
"""Python peer of `musicagent pipeline run --full-refresh`, for benchmarking only.

What it measures: the same extract-load and transform as the C++ pipeline, written the way the
pipeline's original Python design did it (and the way such loaders are typically written):

  * extract+load: for each of the six source files, pandas.read_csv (compression inferred;
    tab-separated and QUOTE_NONE for the HetRec .dat files, Latin-1 for tags.dat), columns mapped
    by header name like the C++ loader, the lineage columns added (_batch_id, _run_id, _loaded_at,
    _source, _file_checksum = sha256 of the file, _line), then inserted into the same raw.* table
    with psycopg2.extras.execute_values (page_size 1000), or with `--load-method copy`
    (copy_expert from an in-memory CSV buffer). Each file gets an ops.load_batches row in an
    ops.pipeline_runs run, so the models' raw.*__latest views see the batch.
  * transform: the same SQL model files (pipeline/models/<schema>/<name>.sql), {{ ref() }} and
    {{ source() }} rendered with regexes, ordered by dependencies (Kahn, (layer, name) ties like
    the C++ runner), each built as drop + create view (staging) or drop + create table as
    (intermediate, marts), with a row count. Unlike the C++ runner it runs no data tests, builds
    no indexes and writes no column comments.

Every file is loaded as a new batch (like --full-refresh). There is no row validation: pandas
parses the values and PostgreSQL casts them.

Run (Debian's python3 has pandas and psycopg2):
    /usr/bin/python3 benchmarks/peer/python_pipeline.py --database-url postgresql://.../bench_peer
    /usr/bin/python3 benchmarks/peer/python_pipeline.py --database-url ... --load-method copy

Prints one JSON object: {"steps": [{"step", "kind", "status", "elapsed_ms", "rows"}, ...],
"extract_load_ms", "transform_ms", "bootstrap_ms", "total_ms", "load_method", "run_id"}.
"""

import argparse
import csv
import hashlib
import io
import json
import os
import re
import sys
import time
from pathlib import Path

import pandas as pd
import psycopg2
import psycopg2.extras
import yaml

REPO = Path(__file__).resolve().parents[2]

# Source name, raw table, candidate paths under the data dir, tab-separated?, Latin-1?,
# [(header, column)] -- the same as pipeline/src/source_spec.cpp.
KAGGLE_COLUMNS = ["track_id", "artists", "album_name", "track_name", "popularity", "duration_ms",
                  "explicit", "danceability", "energy", "key", "loudness", "mode", "speechiness",
                  "acousticness", "instrumentalness", "liveness", "valence", "tempo",
                  "time_signature", "track_genre"]
KAGGLE_TEXT = {"track_id", "artists", "album_name", "track_name", "track_genre"}


def hetrec(name):
    return [f"lastfm_hetrec2011/{name}", f"hetrec2011-lastfm-2k/{name}", name]


SOURCES = [
    ("kaggle.tracks", "kaggle_tracks",
     ["spotify_tracks/dataset.csv.gz", "spotify_tracks/dataset.csv", "dataset.csv.gz", "dataset.csv"],
     False, False, [(c, c) for c in KAGGLE_COLUMNS]),
    ("lastfm.artists", "lastfm_artists", hetrec("artists.dat"), True, False,
     [("id", "id"), ("name", "name"), ("url", "url"), ("pictureURL", "picture_url")]),
    ("lastfm.tags", "lastfm_tags", hetrec("tags.dat"), True, True,
     [("tagID", "tag_id"), ("tagValue", "tag_value")]),
    ("lastfm.user_artists", "lastfm_user_artists", hetrec("user_artists.dat"), True, False,
     [("userID", "user_id"), ("artistID", "artist_id"), ("weight", "weight")]),
    ("lastfm.user_friends", "lastfm_user_friends", hetrec("user_friends.dat"), True, False,
     [("userID", "user_id"), ("friendID", "friend_id")]),
    ("lastfm.user_taggedartists", "lastfm_user_taggedartists", hetrec("user_taggedartists.dat"),
     True, False,
     [("userID", "user_id"), ("artistID", "artist_id"), ("tagID", "tag_id"), ("day", "day"),
      ("month", "month"), ("year", "year")]),
]
TEXT_COLUMNS = KAGGLE_TEXT | {"name", "url", "picture_url", "tag_value"}
LINEAGE = ["_batch_id", "_run_id", "_loaded_at", "_source", "_file_checksum", "_line"]
LAYERS = ["staging", "intermediate", "marts"]

REF = re.compile(r"""\{\{\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*\}\}""")
SOURCE = re.compile(r"""\{\{\s*source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*\}\}""")
CONFIG = re.compile(r"""\{\{\s*config\((.*?)\)\s*\}\}""", re.S)
MATERIALIZED = re.compile(r"""materialized\s*=\s*['"](\w+)['"]""")


def ms_since(start):
    return (time.perf_counter() - start) * 1000.0


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def find_file(data_dir, candidates, name):
    for candidate in candidates:
        path = data_dir / candidate
        if path.is_file():
            return path
    sys.exit(f"python_pipeline: no file for source {name} in {data_dir}")


def read_source(path, tab_separated, latin1, mapping):
    """pandas read, columns picked by (case-insensitive) header name and renamed."""
    options = dict(dtype={h: str for h, c in mapping if c in TEXT_COLUMNS},
                   keep_default_na=False, na_values=[""])  # only empty cells are NULL, like C++
    if tab_separated:
        options.update(sep="\t", quoting=csv.QUOTE_NONE)
    if latin1:
        options.update(encoding="latin-1")
    df = pd.read_csv(path, **options)  # compression inferred from .gz
    by_lower = {str(h).strip().lower(): h for h in df.columns}
    df = df[[by_lower[h.lower()] for h, _ in mapping]]
    df.columns = [c for _, c in mapping]
    return df


def load_source(conn, run_id, source, data_dir, method):
    name, table, candidates, tab_separated, latin1, mapping = source
    path = find_file(data_dir, candidates, name)
    checksum = sha256_file(path)
    with conn.cursor() as cur:
        cur.execute(
            "insert into ops.load_batches (run_id, source, raw_table, file_path, file_checksum, "
            "file_bytes, rows_read, rows_loaded, rows_rejected) values (%s, %s, %s, %s, %s, %s, 0, 0, 0) "
            "returning batch_id, now()",
            (run_id, name, table, str(path), checksum, path.stat().st_size))
        batch_id, loaded_at = cur.fetchone()

        df = read_source(path, tab_separated, latin1, mapping)
        df["_batch_id"] = batch_id
        df["_run_id"] = run_id
        df["_loaded_at"] = loaded_at
        df["_source"] = name
        df["_file_checksum"] = checksum
        df["_line"] = df.index + 2  # line 1 is the header
        columns = ", ".join(f'"{c}"' for c in df.columns)

        if method == "copy":
            buffer = io.StringIO()
            df.to_csv(buffer, index=False, header=False)  # NaN -> empty unquoted field -> NULL
            buffer.seek(0)
            cur.copy_expert(f"copy raw.{table} ({columns}) from stdin with (format csv)", buffer)
        else:
            df = df.astype(object).where(df.notna(), None)  # NaN -> None -> NULL
            psycopg2.extras.execute_values(
                cur, f"insert into raw.{table} ({columns}) values %s",
                df.itertuples(index=False, name=None), page_size=1000)
        cur.execute("update ops.load_batches set rows_read = %s, rows_loaded = %s where batch_id = %s",
                    (len(df), len(df), batch_id))
    conn.commit()
    return len(df)


def load_project(models_dir):
    sources = {}
    models = {}
    for yml in sorted(models_dir.rglob("*.yml")):
        doc = yaml.safe_load(yml.read_text()) or {}
        for source in doc.get("sources") or []:
            schema = source.get("schema", source["name"])
            for table in source.get("tables") or []:
                sources[(source["name"], table["name"])] = f'{schema}.{table.get("identifier", table["name"])}'
    for path in sorted(models_dir.rglob("*.sql")):
        schema, name = path.parent.name, path.stem
        sql = path.read_text()
        materialized = "view" if schema == "staging" else "table"
        config = CONFIG.search(sql)
        if config and MATERIALIZED.search(config.group(1)):
            materialized = MATERIALIZED.search(config.group(1)).group(1)
        models[name] = {"name": name, "schema": schema, "sql": CONFIG.sub("", sql),
                        "materialized": materialized, "refs": set(REF.findall(sql))}
    for yml in sorted(models_dir.rglob("*.yml")):  # config: {materialized: ...} in schema files
        doc = yaml.safe_load(yml.read_text()) or {}
        for entry in doc.get("models") or []:
            materialized = (entry.get("config") or {}).get("materialized")
            if materialized and entry["name"] in models:
                models[entry["name"]]["materialized"] = materialized

    def render(model):
        sql = REF.sub(lambda m: f'{models[m.group(1)]["schema"]}.{m.group(1)}', model["sql"])
        return SOURCE.sub(lambda m: sources[(m.group(1), m.group(2))], sql)

    # Kahn's algorithm, ready models taken in (layer, name) order, like the C++ runner.
    def key(n):
        s = models[n]["schema"]
        return (LAYERS.index(s) if s in LAYERS else len(LAYERS), n)
    pending = {n: len(m["refs"]) for n, m in models.items()}
    ordered = []
    ready = sorted((n for n, c in pending.items() if c == 0), key=key)
    while ready:
        name = ready.pop(0)
        ordered.append(name)
        for child, m in models.items():
            if name in m["refs"]:
                pending[child] -= 1
                if pending[child] == 0:
                    ready.append(child)
        ready.sort(key=key)
    if len(ordered) != len(models):
        sys.exit("python_pipeline: models form a cycle through ref()")
    return [(models[n], render(models[n])) for n in ordered]


def build_model(conn, model, sql):
    relation = f'{model["schema"]}.{model["name"]}'
    with conn.cursor() as cur:
        if model["materialized"] == "view":
            cur.execute(f"drop view if exists {relation} cascade")
            cur.execute(f"create view {relation} as\n{sql}")
            cur.execute(f"select count(*) from {relation}")
            rows = cur.fetchone()[0]
        else:
            cur.execute(f"drop table if exists {relation} cascade")
            cur.execute(f"create table {relation} as\n{sql}")
            rows = cur.rowcount
    conn.commit()
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--data-dir", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--models-dir", type=Path, default=REPO / "pipeline" / "models")
    parser.add_argument("--bootstrap-sql", type=Path, default=REPO / "pipeline" / "sql" / "bootstrap.sql")
    parser.add_argument("--load-method", choices=["execute_values", "copy"], default="execute_values")
    args = parser.parse_args()
    if not args.database_url:
        sys.exit("python_pipeline: pass --database-url or set DATABASE_URL")

    started = time.perf_counter()
    conn = psycopg2.connect(args.database_url)
    with conn.cursor() as cur:
        cur.execute(args.bootstrap_sql.read_text())
        conn.commit()
        bootstrap_ms = ms_since(started)
        cur.execute("insert into ops.pipeline_runs (command, data_dir) values (%s, %s) returning run_id",
                    (f"python peer ({args.load_method})", str(args.data_dir)))
        run_id = cur.fetchone()[0]
    conn.commit()

    steps = []
    for source in SOURCES:
        t0 = time.perf_counter()
        rows = load_source(conn, run_id, source, args.data_dir, args.load_method)
        steps.append({"step": f"load {source[0]}", "kind": "load", "status": "success",
                      "elapsed_ms": ms_since(t0), "rows": rows})

    for model, sql in load_project(args.models_dir):
        t0 = time.perf_counter()
        rows = build_model(conn, model, sql)
        steps.append({"step": f'model {model["schema"]}.{model["name"]}', "kind": "model",
                      "status": "success", "elapsed_ms": ms_since(t0), "rows": rows})

    summary = {
        "run_id": run_id,
        "load_method": args.load_method,
        "steps": steps,
        "bootstrap_ms": bootstrap_ms,
        "extract_load_ms": sum(s["elapsed_ms"] for s in steps if s["kind"] == "load"),
        "transform_ms": sum(s["elapsed_ms"] for s in steps if s["kind"] == "model"),
    }
    summary["total_ms"] = ms_since(started)
    with conn.cursor() as cur:
        cur.execute("update ops.pipeline_runs set status = 'success', ended_at = now(), summary = %s "
                    "where run_id = %s", (json.dumps(summary), run_id))
    conn.commit()
    conn.close()
    json.dump(summary, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
