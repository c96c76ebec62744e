#!/usr/bin/env python3
"""Replays the CPCD playlist conversations turn by turn through a running `musicagent serve`
(POST /api/chat, the real agent loop and tools) and scores what came back.

The conversations are split by a fixed hash of their id (FNV-1a 64, even: the half rules may be
written from; odd: the half that is only scored), and every figure is given per half.

Per turn:
  request turn        the human curator searched the catalogue in that turn;
  answered            our turn returned at least one track;
  named artist        a catalogue artist the curator searched for (a search query that is, or
                      starts or ends with, the artist's name) and the person's message names
                      (as words, or within one edit per six letters); hit when our results
                      contain a track by that artist, or the artist itself;
  named genre         the message names one of the catalogue's genres (its own words: "hip hop",
                      "r&b", "drum and bass"; not after "no", "not", "without" ...); hit when one
                      of the tracks returned carries it;
  liked track/artist  a track the person liked, matched to the catalogue by title and artist;
                      hit@10 when it (or a track by its artist) is among the first 10 tracks of
                      a tool call of that turn.
Only the Python standard library and psycopg2 (Debian: python3-psycopg2) are used.
"""
import argparse
import json
import statistics
import sys
import time
import unicodedata
import urllib.error
import urllib.request

import psycopg2

# Words of the catalogue's genre names that are also everyday words; turns naming only these
# are counted apart ("genre_named_everyday"), since "a party playlist" or "happy songs" may be
# read as a mood as well as a genre.
EVERYDAY_GENRES = {"happy", "sad", "party", "sleep", "study", "chill", "romance", "kids", "children",
                   "club", "dance", "groove", "guitar", "piano", "acoustic", "comedy", "songwriter"}
NEGATIONS = {"no", "not", "dont", "without", "except", "hate", "avoid", "nothing", "away", "skip", "never"}
COURTESY = {"thanks", "thank", "you", "thx", "ty", "ok", "okay", "great", "cool", "perfect", "nice", "awesome",
            "yes", "yeah", "yep", "good", "bye", "goodbye", "that", "thats", "all", "for", "now", "so", "much",
            "very", "wonderful", "amazing", "excellent", "lovely", "sounds", "alright", "sure", "is", "it", "s"}


def fnv1a(text):
    h = 0xcbf29ce484222325
    for b in text.encode():
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def half_of(conversation_id):
    return "rules" if fnv1a(conversation_id) % 2 == 0 else "scored"


def fold(text):
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("&", " and ").replace("$", "s").replace("'", "").replace("’", "")
    return "".join(c if c.isalnum() else " " for c in text)


def words(text):
    return fold(text).split()


def key(text):
    """Words run together, "and" as "n", without a leading "the"."""
    w = words(text)
    if len(w) > 1 and w[0] == "the":
        w = w[1:]
    return "".join("n" if x == "and" else x for x in w)


def edit_distance(a, b, limit):
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def cut_title(title):
    for mark in (" (", " - ", " [", " feat", " ft."):
        at = title.find(mark)
        if at > 0:
            title = title[:at]
    return title


class Catalogue:
    def __init__(self, database_url):
        connection = psycopg2.connect(database_url)
        cursor = connection.cursor()
        cursor.execute("select artist_name from marts.dim_artists")
        self.artist_keys = {}
        for (name,) in cursor:
            k = key(name)
            if len(k) >= 3:
                self.artist_keys.setdefault(k, name)
        cursor.execute("select genre from marts.dim_genres")
        self.genres = {}
        for (genre,) in cursor:
            self.genres["".join("n" if x == "and" else x for x in words(genre))] = genre
        cursor.execute("select track_name, artist_names from marts.dim_tracks")
        self.titles = {}
        for title, artists in cursor:
            if not title:
                continue
            self.titles.setdefault(key(cut_title(title)), set()).update(key(a) for a in artists or [])
        connection.close()
        self.max_artist_words = 6

    def artists_in_query(self, query):
        """Catalogue artists a curator's search query is about: the query is the name, or starts
        or ends with it (\"madonna lucky star\", \"dreams fleetwood mac\")."""
        w = words(query)
        found = set()
        for n in range(min(len(w), self.max_artist_words), 0, -1):
            for part in (w[:n], w[-n:]):
                k = key(" ".join(part))
                # A one-word name ("heart", "boys", "queen") is only taken when it is the whole
                # query: "heart of glass" is a title search, not a search for the band Heart.
                if n == 1 and len(w) > 1:
                    continue
                if k in self.artist_keys and len(k) >= 3:
                    found.add(k)
            if found:
                break
        return found

    def named_in(self, message, artist_key):
        """Whether a message names the artist: as words, or a close misspelling."""
        w = words(message)
        compact = ["n" if x == "and" else x for x in w]
        for n in range(1, self.max_artist_words + 1):
            for i in range(0, len(compact) - n + 1):
                part = compact[i:i + n]
                if part and part[0] == "the" and n > 1:
                    part = part[1:]
                window = "".join(part)
                if window == artist_key:
                    return True
                if len(artist_key) >= 6 and abs(len(window) - len(artist_key)) <= 2:
                    if edit_distance(window, artist_key, len(artist_key) // 6) <= len(artist_key) // 6:
                        return True
        return False

    def genres_named(self, message):
        """Genres named as words, longest first; those right after a negation are left out."""
        w = words(message)
        taken = [False] * len(w)
        named, negated = set(), set()
        for n in (3, 2, 1):
            for i in range(0, len(w) - n + 1):
                if any(taken[i:i + n]):
                    continue
                k = "".join("n" if x == "and" else x for x in w[i:i + n])
                if k in self.genres:
                    for j in range(i, i + n):
                        taken[j] = True
                    before = set(w[max(0, i - 4):i])
                    (negated if before & NEGATIONS else named).add(self.genres[k])
        return named, negated


def tracks_of(result):
    for field in ("tracks", "top_tracks", "results"):
        items = result.get(field)
        if isinstance(items, list):
            return [t for t in items if isinstance(t, dict) and t.get("kind", "track") == "track" and "id" in t]
    return []


def artists_of(result):
    names = []
    if isinstance(result.get("results"), list):
        names += [r.get("name", "") for r in result["results"] if r.get("kind") == "artist"]
    if result.get("name") and "top_tracks" in result:
        names.append(result["name"])
    for item in result.get("similar", []) or []:
        names.append(item.get("name", ""))
    return names


def track_artists(track):
    artists = track.get("artists", [])
    if isinstance(artists, str):  # older servers gave search results' artists as one string
        artists = [a.strip() for a in artists.replace(";", ",").split(",")]
    return artists


def chat(base_url, text, conversation_id, timeout):
    body = {"text": text}
    if conversation_id:
        body["conversation_id"] = conversation_id
    request = urllib.request.Request(base_url + "/api/chat", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            reply = json.loads(response.read())
            return reply, (time.monotonic() - started) * 1000, None
    except urllib.error.HTTPError as e:
        return None, (time.monotonic() - started) * 1000, f"HTTP {e.code}: {e.read()[:200]!r}"
    except Exception as e:  # a dropped connection is a crash of the server: counted, not raised
        return None, (time.monotonic() - started) * 1000, repr(e)


def rate(hits, total):
    return {"hits": hits, "total": total, "rate": round(hits / total, 3) if total else None}


def replay(args):
    catalogue = Catalogue(args.database_url)
    conversations = [json.loads(line) for line in open(args.cpcd, encoding="utf-8")]
    halves = {}
    for conversation in conversations:
        half = half_of(conversation["id"])
        if args.half != "both" and half != args.half:
            continue
        halves.setdefault(half, []).append(conversation)
    report = {"label": args.label, "base_url": args.base_url, "halves": {}}
    turns_out = []
    for half, items in sorted(halves.items()):
        if args.limit:
            items = items[:args.limit]
        tally = {k: [0, 0] for k in ("answered", "answered_requests", "named_artist", "genre_named",
                                     "genre_named_everyday", "genre_excluded", "liked_track", "liked_artist")}
        latencies, errors, stop_reasons = [], [], {}
        turn_count = 0
        for conversation in items:
            conversation_id = None
            track_meta = conversation.get("tracks", {})
            for turn in conversation["turns"]:
                text = turn["user_query"]
                turn_count += 1
                reply, ms, error = chat(args.base_url, text, conversation_id, args.timeout)
                latencies.append(ms)
                if error:
                    errors.append({"conversation": conversation["id"], "text": text[:200], "error": error})
                    reply = {"events": [], "stop_reason": "error"}
                conversation_id = reply.get("conversation_id", conversation_id)
                stop_reasons[reply.get("stop_reason", "?")] = stop_reasons.get(reply.get("stop_reason", "?"), 0) + 1
                calls = [e for e in reply.get("events", []) if e.get("type") == "tool_result" and e.get("ok")]
                returned, first10, returned_artists = [], [], set()
                for call in calls:
                    result = call.get("result") or {}
                    tracks = tracks_of(result)
                    returned += tracks
                    first10 += tracks[:10]
                    returned_artists.update(key(a) for a in artists_of(result))
                returned_track_artists = set()
                for t in returned:
                    returned_track_artists.update(key(a) for a in track_artists(t))
                record = {"half": half, "conversation": conversation["id"], "text": text,
                          "tools": [c.get("name") for c in calls], "tracks": len(returned)}

                searched = bool(turn.get("search_queries"))
                if searched:
                    tally["answered"][1] += 1
                    tally["answered"][0] += bool(returned)
                    courtesy = all(w in COURTESY for w in words(text))
                    if not courtesy:
                        tally["answered_requests"][1] += 1
                        tally["answered_requests"][0] += bool(returned)
                    # Artists the curator searched for and the person named.
                    wanted = set()
                    for q in turn["search_queries"]:
                        wanted |= {a for a in catalogue.artists_in_query(q) if catalogue.named_in(text, a)}
                    for a in wanted:
                        tally["named_artist"][1] += 1
                        hit = a in returned_track_artists or a in returned_artists
                        tally["named_artist"][0] += hit
                        record.setdefault("named_artists", []).append({"artist": catalogue.artist_keys[a], "hit": hit})
                named, negated = catalogue.genres_named(text)
                carried = set()
                for t in returned:
                    carried.update(t.get("genres", []))
                for g in named:
                    bucket = "genre_named_everyday" if g in EVERYDAY_GENRES else "genre_named"
                    tally[bucket][1] += 1
                    tally[bucket][0] += g in carried
                    record.setdefault("genres", []).append({"genre": g, "hit": g in carried})
                for g in negated:
                    tally["genre_excluded"][1] += 1
                    tally["genre_excluded"][0] += bool(returned) and g not in carried
                # Liked tracks matched to the catalogue by title and artist.
                top_songs = {(key(cut_title(t.get("name", ""))), key(a)) for t in first10 for a in track_artists(t)}
                top_artists = {key(a) for t in first10 for a in track_artists(t)}
                for liked in turn.get("liked_results", []):
                    meta = track_meta.get(liked)
                    if not meta:
                        continue
                    title = key(cut_title(meta.get("track_titles", "")))
                    artists = {key(a) for a in meta.get("track_artists", [])}
                    in_catalogue_artists = {a for a in artists if a in catalogue.artist_keys}
                    if title in catalogue.titles and catalogue.titles[title] & artists:
                        tally["liked_track"][1] += 1
                        tally["liked_track"][0] += any((title, a) in top_songs for a in artists)
                    if in_catalogue_artists:
                        tally["liked_artist"][1] += 1
                        tally["liked_artist"][0] += bool(in_catalogue_artists & top_artists)
                turns_out.append(record)
        latencies.sort()
        report["halves"][half] = {
            "conversations": len(items),
            "turns": turn_count,
            "answered_with_tracks": rate(*tally["answered"]),
            "answered_requests": rate(*tally["answered_requests"]),
            "named_artist": rate(*tally["named_artist"]),
            "genre_named": rate(*tally["genre_named"]),
            "genre_named_everyday_words": rate(*tally["genre_named_everyday"]),
            "genre_excluded_kept_out": rate(*tally["genre_excluded"]),
            "liked_artist_hit10": rate(*tally["liked_artist"]),
            "liked_track_hit10": rate(*tally["liked_track"]),
            "errors": len(errors),
            "error_examples": errors[:5],
            "stop_reasons": stop_reasons,
            "latency_ms": {"p50": round(statistics.median(latencies), 1) if latencies else None,
                           "p95": round(latencies[int(0.95 * (len(latencies) - 1))], 1) if latencies else None},
        }
        print(f"[{args.label}] {half}: " + json.dumps({k: v for k, v in report["halves"][half].items()
                                                        if k not in ("error_examples",)}), file=sys.stderr)
    if args.turns:
        with open(args.turns, "w", encoding="utf-8") as out:
            for record in turns_out:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--cpcd", required=True, help="cpcd_v1.dialogs.dev.train.jsonl")
    parser.add_argument("--half", choices=["rules", "scored", "both"], default="both")
    parser.add_argument("--label", default="musicagent")
    parser.add_argument("--limit", type=int, default=0, help="conversations per half (0: all)")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--turns", help="write one JSON line per turn here")
    parser.add_argument("--output", help="write the report here (JSON)")
    args = parser.parse_args()
    report = replay(args)
    text = json.dumps(report, indent=2, ensure_ascii=False)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
