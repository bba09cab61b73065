"""Import throughput: generate a Disqus export of N comments in T threads and import it.

    python bench/import_throughput.py                       # 100,000 comments in 5,000 threads
    python bench/import_throughput.py --comments 10000 --threads 500
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/import_throughput.py

Each run uses a fresh SQLite file in a temporary TOWNHALL_DATA_DIR (or the given PostgreSQL
database, emptied of the bench site first) and runs the import in a child process, so the peak
RSS printed is the import's own (ru_maxrss of that process). Prints comments/s and peak RSS, and,
on SQLite, the same run's floor: plain sqlite3 executemany of the same rows into an empty copy of
the schema, so a figure from a busy machine can be read as a ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

WORDS = ["the", "council", "vote", "budget", "school", "road", "minister", "report", "claim", "evidence", "city", "water", "tax", "police", "court", "story", "reader", "agree", "disagree", "source", "data", "number", "year", "week", "people", "plan", "change", "local", "national"]


def generate(path: Path, comments: int, threads: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
                 'xmlns:dsq="http://disqus.com/disqus-internals">\n')
        for t in range(threads):
            fh.write(f'<thread dsq:id="{t + 1}"><id/><link>https://bench.example/{2015 + t % 10}/article-{t + 1}</link>'
                     f"<title>Article {t + 1}</title><createdAt>2016-01-01T00:00:00Z</createdAt></thread>\n")
        per_thread = comments // threads
        pid = 0
        for t in range(threads):
            first = pid + 1
            n = per_thread + (1 if t < comments % threads else 0)
            for i in range(n):
                pid += 1
                parent = f'<parent dsq:id="{rng.randint(first, pid - 1)}"/>' if i and rng.random() < 0.6 else ""
                words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 60)))
                text = escape(f"<p>{words.capitalize()}.</p><p>Comment {pid}, see <a href='https://x.example/{pid}'>this</a>.</p>")
                state = "true" if rng.random() < 0.02 else "false"
                fh.write(
                    f'<post dsq:id="{pid}"><id/><message>{text}</message>'
                    f"<createdAt>2016-{1 + t % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z</createdAt>"
                    f"<isDeleted>{state}</isDeleted><isSpam>false</isSpam>"
                    f"<author><email>user{pid % 997}@example.com</email><name>User {pid % 997}</name>"
                    f"<isAnonymous>false</isAnonymous><username>user{pid % 997}</username></author>"
                    f"<ipAddress>192.0.2.{pid % 250}</ipAddress><thread dsq:id=\"{t + 1}\"/>{parent}</post>\n"
                )
        fh.write("</disqus>\n")


CHILD = r"""
import json, os, resource, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townhall.settings")
django.setup()
from django.core.management import call_command
from io import StringIO
call_command("migrate", verbosity=0)
from townhall.comments.models import Site
from townhall.comments.services import site_create
Site.objects.filter(slug="bench").delete()
site_create(slug="bench", name="bench", origins=["https://bench.example"])
from townhall.importers.services import run_import
from pathlib import Path
cpu = lambda: sum(resource.getrusage(resource.RUSAGE_SELF)[:2])  # noqa: E731  user + system seconds
started, cpu_started = time.perf_counter(), cpu()
report = run_import(source="disqus", path=Path(sys.argv[1]), site=Site.objects.get(slug="bench"), progress=False)
seconds, cpu_seconds = time.perf_counter() - started, cpu() - cpu_started
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
result = {"comments": report.comments, "seconds": seconds, "cpu_seconds": cpu_seconds, "rss_mb": rss_mb}
from django.db import connection
if connection.vendor == "sqlite" and len(sys.argv) > 2:
    # The floor on this machine, measured in the same run: the same rows (comments, their
    # near-duplicate index rows, the source-id rows) inserted with plain sqlite3 executemany
    # into an empty copy of the schema, same PRAGMAs, 1,000 comments a transaction. Reading the
    # rows back is not timed.
    import sqlite3
    src = sqlite3.connect(connection.settings_dict["NAME"])
    dst = sqlite3.connect(sys.argv[2], isolation_level=None)
    dst.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;")
    tables = ["comments_site", "comments_thread", "comments_comment", "moderation_shingle", "importers_importedcomment"]
    for (sql,) in src.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN (%s) "
                              "ORDER BY type = 'index'" % ",".join("?" * len(tables)), tables):
        dst.execute(sql)
    for t in tables[:2]:
        rows = src.execute(f"SELECT * FROM {t}").fetchall()
        dst.executemany(f"INSERT INTO {t} VALUES ({','.join('?' * len(rows[0]))})", rows)
    ids = [r[0] for r in src.execute("SELECT id FROM comments_comment ORDER BY id")]
    floor, floor_cpu = 0.0, cpu()
    for i in range(0, len(ids), 1000):
        lo, hi = ids[i], ids[min(i + 1000, len(ids)) - 1]
        chunk = {t: src.execute(f"SELECT * FROM {t} WHERE {c} BETWEEN ? AND ? ORDER BY id", (lo, hi)).fetchall()
                 for t, c in [("comments_comment", "id"), ("moderation_shingle", "comment_id"),
                              ("importers_importedcomment", "comment_id")]}
        t0 = time.perf_counter()
        dst.execute("BEGIN IMMEDIATE")
        for t, rows in chunk.items():
            if rows:
                dst.executemany(f"INSERT INTO {t} VALUES ({','.join('?' * len(rows[0]))})", rows)
        dst.execute("COMMIT")
        floor += time.perf_counter() - t0
    result["floor_seconds"] = floor
    result["floor_cpu_seconds"] = cpu() - floor_cpu
print(json.dumps(result))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=5_000)
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="townhall-bench-") as tmp:
        path = Path(tmp) / "disqus.xml"
        t0 = time.perf_counter()
        generate(path, args.comments, args.threads)
        size = path.stat().st_size / 1e6
        print(f"generated {args.comments:,} comments in {args.threads:,} threads: {size:,.1f} MB in "
              f"{time.perf_counter() - t0:,.1f}s")
        env = {**os.environ, "TOWNHALL_DATA_DIR": str(Path(tmp) / "data")}
        db = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
        done = subprocess.run([sys.executable, "-c", CHILD, str(path), str(Path(tmp) / "floor.sqlite3")], env=env,
                              cwd=root, check=True, capture_output=True, text=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        rate = result["comments"] / result["seconds"]
        print(f"{db}: imported {result['comments']:,} comments in {result['seconds']:,.1f}s = "
              f"{rate:,.0f} comments/s ({result['comments'] / result['cpu_seconds']:,.0f} per CPU-second), "
              f"peak RSS {result['rss_mb']:,.0f} MB")
        if "floor_seconds" in result:
            floor = result["comments"] / result["floor_seconds"]
            print(f"same run, plain sqlite3 executemany of the same rows: {floor:,.0f} comments/s "
                  f"(the import runs at {rate / floor:.0%} of that)")
        print(f"load average while it ran: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
