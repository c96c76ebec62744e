#!/usr/bin/env python3
"""Drafts evaluation cases from the scored half of the CPCD conversations (the half no rule was
written from; benchmarks/cpcd_replay.py defines the split), checking outcomes, not routes:

  named artist  the person names a catalogue artist the curator searched for: a returned track
                is by that artist (results.artists);
  named genre   the message names a catalogue genre: a returned track carries it (results.genres);
  closing       the person only thanks or says goodbye: no tool is called.

Each case replays the conversation's earlier turns (without checks) and checks the chosen turn.
Writes a JSON array to stdout; review it before it goes into eval/conversations/.

  /usr/bin/python3 scripts/cpcd_eval_cases.py --database-url URL --cpcd FILE [--per-kind N]
"""
import argparse
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "benchmarks"))
import cpcd_replay as cpcd  # noqa: E402


def case_id(kind, conversation, turn):
    return f"cpcd-{kind}-{conversation[:8]}-{turn}"


def prefix(conversation, upto):
    return [{"user": t["user_query"]} for t in conversation["turns"][:upto]]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--cpcd", required=True)
    parser.add_argument("--per-kind", type=int, default=12)
    parser.add_argument("--max-prefix", type=int, default=3, help="earlier turns replayed at most")
    args = parser.parse_args()
    catalogue = cpcd.Catalogue(args.database_url)
    conversations = [json.loads(line) for line in open(args.cpcd, encoding="utf-8")]
    scored = [c for c in conversations if cpcd.half_of(c["id"]) == "scored"]
    # A fixed, id-based order, so the draft is the same on every run.
    scored.sort(key=lambda c: hashlib.sha256(c["id"].encode()).hexdigest())
    cases = {"artist": [], "genre": [], "closing": []}
    used = set()
    for conversation in scored:
        for i, turn in enumerate(conversation["turns"]):
            if i > args.max_prefix or conversation["id"] in used:
                break
            text = turn["user_query"].strip()
            if not text or len(text) > 400:
                continue
            words = cpcd.words(text)
            if turn.get("search_queries"):
                wanted = set()
                for q in turn["search_queries"]:
                    wanted |= {a for a in catalogue.artists_in_query(q) if catalogue.named_in(text, a)}
                if wanted and len(cases["artist"]) < args.per_kind:
                    names = sorted(catalogue.artist_keys[a] for a in wanted)
                    cases["artist"].append({
                        "id": case_id("artist", conversation["id"], i),
                        "description": "CPCD scored half: the person names " + ", ".join(names),
                        "tags": ["understanding", "cpcd", "named_artist"],
                        "source": f"CPCD {conversation['id']} turn {i}",
                        "turns": prefix(conversation, i) + [
                            {"user": text, "expect": {"results": {"artists": names}}}]})
                    used.add(conversation["id"])
                    continue
                named, _ = catalogue.genres_named(text)
                named -= cpcd.EVERYDAY_GENRES
                if named and len(cases["genre"]) < args.per_kind:
                    cases["genre"].append({
                        "id": case_id("genre", conversation["id"], i),
                        "description": "CPCD scored half: the message names the genre " + ", ".join(sorted(named)),
                        "tags": ["understanding", "cpcd", "named_genre"],
                        "source": f"CPCD {conversation['id']} turn {i}",
                        "turns": prefix(conversation, i) + [
                            {"user": text, "expect": {"results": {"genres": sorted(named)}}}]})
                    used.add(conversation["id"])
                    continue
            elif i > 0 and words and all(w in cpcd.COURTESY for w in words) and len(cases["closing"]) < args.per_kind:
                cases["closing"].append({
                    "id": case_id("closing", conversation["id"], i),
                    "description": "CPCD scored half: a closing remark calls no tool",
                    "tags": ["understanding", "cpcd", "irrelevance"],
                    "source": f"CPCD {conversation['id']} turn {i}",
                    "turns": prefix(conversation, i) + [{"user": text, "expect": {"no_tools": True}}]})
                used.add(conversation["id"])
    out = cases["artist"] + cases["genre"] + cases["closing"]
    print(f"drafted {len(cases['artist'])} artist, {len(cases['genre'])} genre, {len(cases['closing'])} closing cases",
          file=sys.stderr)
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
