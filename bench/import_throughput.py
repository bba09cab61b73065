"""Import throughput: generate Disqus exports and import them (issue 9: 100,000 comments in 5,000
threads, comments/s and peak RSS on SQLite and PostgreSQL).

    python bench/import_throughput.py                        # 10k/500 and 100k/5,000, SQLite
    python bench/import_throughput.py --sizes 10000:500      # just one size
    python bench/import_throughput.py --recent               # comments dated inside the duplicate window
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/import_throughput.py

Each size runs in a child process of its own (fresh SQLite file in a temporary TOWNHALL_DATA_DIR,
or the given PostgreSQL database, emptied of the bench site first by another child), so the peak
RSS printed is the import's own (ru_maxrss of that process, taken before anything else runs in it).

What is timed is `run_import` without `--moderate`: both passes (checking the whole file into the
scratch file, then writing), as the command runs them. By default the comments are dated 2016, as
in a real migration, so they are older than the site's duplicate window (72 h) and their
near-duplicate index rows are written afterwards by the background task; the script then runs
those tasks (`db_worker --batch`) and prints that time separately. `--recent` dates every comment
inside the window, so the import writes all the index rows itself (the slowest case).

In the same child, right after the import, it measures this machine's floor at that moment: the
same rows the import wrote (comments, index rows, source-id rows) inserted again with plain
`executemany` (sqlite3, or psycopg through Django's cursor) into empty copies of the tables, 1,000
comments a transaction, so a figure from a busy machine can be read as a ratio. Reading the rows
back is not timed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

WORDS = ["the", "council", "vote", "budget", "school", "road", "minister", "report", "claim", "evidence", "city", "water", "tax", "police", "court", "story", "reader", "agree", "disagree", "source", "data", "number", "year", "week", "people", "plan", "change", "local", "national"]


def generate(path: Path, comments: int, threads: int, seed: int = 7, recent: bool = False) -> None:
    rng = random.Random(seed)
    base = datetime.now(tz=UTC) - timedelta(hours=24) if recent else None
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
                if base is not None:
                    when = (base + timedelta(seconds=pid)).strftime("%Y-%m-%dT%H:%M:%SZ")
                else:
                    when = f"2016-{1 + t % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z"
                fh.write(
                    f'<post dsq:id="{pid}"><id/><message>{text}</message>'
                    f"<createdAt>{when}</createdAt>"
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
from django.db import connection
from django_tasks_db.models import DBTaskResult
from townhall.comments.models import Site
from townhall.comments.services import site_create
if sys.argv[1] == "clean":  # a run of its own: deleting a big earlier bench site takes memory
    Site.objects.filter(slug="bench").delete()
    DBTaskResult.objects.all().delete()
    sys.exit(0)
site_create(slug="bench", name="bench", origins=["https://bench.example"])
from townhall.importers.services import run_import
from pathlib import Path
# user + system seconds of this process and of the converting workers (children, once joined)
cpu = lambda: sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) + sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2])  # noqa: E731
started, cpu_started = time.perf_counter(), cpu()
report = run_import(source="disqus", path=Path(sys.argv[1]), site=Site.objects.get(slug="bench"), progress=False)
seconds, cpu_seconds = time.perf_counter() - started, cpu() - cpu_started
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
workers_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest worker
result = {"comments": report.comments, "seconds": seconds, "cpu_seconds": cpu_seconds, "rss_mb": rss_mb,
          "workers_rss_mb": workers_rss_mb,
          "index_later": report.index_later}
site_id = Site.objects.get(slug="bench").pk
tables = ["comments_comment", "moderation_shingle", "importers_importedcomment"]
key = {"comments_comment": "id", "moderation_shingle": "comment_id", "importers_importedcomment": "comment_id"}
with connection.cursor() as cur:
    cur.execute("SELECT id FROM comments_comment WHERE thread_id IN (SELECT id FROM comments_thread WHERE site_id = %s) "
                "ORDER BY id", [site_id])
    ids = [r[0] for r in cur.fetchall()]
    cur.execute("SELECT COUNT(*) FROM moderation_shingle WHERE site_id = %s", [site_id])
    result["index_rows_by_import"] = cur.fetchone()[0]
floor = 0.0
if connection.vendor == "sqlite":
    # Empty copies of the tables in another file, same PRAGMAs as Django's connection.
    import sqlite3
    src = sqlite3.connect(connection.settings_dict["NAME"])
    dst = sqlite3.connect(sys.argv[2], isolation_level=None)
    dst.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;")
    copy = ["comments_site", "comments_thread", *tables]
    for (sql,) in src.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN (%s) "
                              "ORDER BY type = 'index'" % ",".join("?" * len(copy)), copy):
        dst.execute(sql)
    for t in copy[:2]:
        rows = src.execute(f"SELECT * FROM {t}").fetchall()
        dst.executemany(f"INSERT INTO {t} VALUES ({','.join('?' * len(rows[0]))})", rows)
    for i in range(0, len(ids), 1000):
        lo, hi = ids[i], ids[min(i + 1000, len(ids)) - 1]
        chunk = {t: src.execute(f"SELECT * FROM {t} WHERE {key[t]} BETWEEN ? AND ? ORDER BY id", (lo, hi)).fetchall()
                 for t in tables}
        t0 = time.perf_counter()
        dst.execute("BEGIN IMMEDIATE")
        for t, rows in chunk.items():
            if rows:
                dst.executemany(f"INSERT INTO {t} VALUES ({','.join('?' * len(rows[0]))})", rows)
        dst.execute("COMMIT")
        floor += time.perf_counter() - t0
else:
    # Empty copies (columns and indexes) in the same PostgreSQL database, dropped afterwards.
    from django.db import transaction
    with connection.cursor() as cur:
        for t in tables:
            cur.execute(f"DROP TABLE IF EXISTS floor_{t}")
            cur.execute(f"CREATE TABLE floor_{t} (LIKE {t} INCLUDING DEFAULTS INCLUDING INDEXES)")
        for i in range(0, len(ids), 1000):
            lo, hi = ids[i], ids[min(i + 1000, len(ids)) - 1]
            chunk = {}
            for t in tables:
                cur.execute(f"SELECT * FROM {t} WHERE {key[t]} BETWEEN %s AND %s ORDER BY id", [lo, hi])
                chunk[t] = cur.fetchall()
            t0 = time.perf_counter()
            with transaction.atomic():
                for t, rows in chunk.items():
                    if rows:
                        cur.executemany(f"INSERT INTO floor_{t} VALUES ({','.join(['%s'] * len(rows[0]))})", rows)
            floor += time.perf_counter() - t0
        for t in tables:
            cur.execute(f"DROP TABLE floor_{t}")
result["floor_seconds"] = floor
# The index rows of the older comments, as the task worker writes them after the import.
started = time.perf_counter()
if sys.argv[3] == "backfill":
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=StringIO(), stderr=StringIO())
result["backfill_seconds"] = time.perf_counter() - started
with connection.cursor() as cur:
    cur.execute("SELECT COUNT(*) FROM moderation_shingle WHERE site_id = %s", [site_id])
    result["index_rows_total"] = cur.fetchone()[0]
print(json.dumps(result))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000:500,100000:5000", help="comments:threads, comma-separated")
    parser.add_argument("--recent", action="store_true", help="date the comments inside the duplicate window")
    parser.add_argument("--no-backfill", action="store_true", help="do not run the index tasks afterwards")
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    db = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"{db}, {'comments dated inside the duplicate window' if args.recent else 'comments dated 2016'}, "
          f"{os.cpu_count()} CPUs")
    for size in args.sizes.split(","):
        comments, threads = (int(x) for x in size.split(":"))
        with tempfile.TemporaryDirectory(prefix="townhall-bench-") as tmp:
            path = Path(tmp) / "disqus.xml"
            generate(path, comments, threads, recent=args.recent)
            env = {**os.environ, "TOWNHALL_DATA_DIR": str(Path(tmp) / "data")}
            subprocess.run([sys.executable, "-c", CHILD, "clean"], env=env, cwd=root, check=True)
            load = os.getloadavg()[0]
            done = subprocess.run([sys.executable, "-c", CHILD, str(path), str(Path(tmp) / "floor.sqlite3"),
                                   "no-backfill" if args.no_backfill else "backfill"],
                                  env=env, cwd=root, check=False, capture_output=True, text=True)
            if done.returncode:
                sys.exit(f"the import child failed:\n{done.stderr[-3000:]}")
            r = json.loads(done.stdout.strip().splitlines()[-1])
            rate, floor = r["comments"] / r["seconds"], r["comments"] / r["floor_seconds"]
            print(f"{comments:,} comments / {threads:,} threads ({path.stat().st_size / 1e6:,.1f} MB): "
                  f"{r['seconds']:,.1f} s = {rate:,.0f} comments/s ({r['comments'] / r['cpu_seconds']:,.0f} per "
                  f"CPU-second), peak RSS {r['rss_mb']:,.0f} MB"
                  + (f" (each converting worker at most {r['workers_rss_mb']:,.0f} MB)" if r["workers_rss_mb"] else "")
                  + f"; same rows by plain executemany {floor:,.0f} "
                  f"comments/s (import at {rate / floor:.0%} of that); load {load:.1f} -> {os.getloadavg()[0]:.1f}")
            print(f"    index rows written by the import: {r['index_rows_by_import']:,}; "
                  + (f"the background task then indexed {r['index_later']:,} older comments in "
                     f"{r['backfill_seconds']:,.1f} s ({r['index_rows_total']:,} index rows in all)"
                     if not args.no_backfill else f"left to the background task: {r['index_later']:,} comments"))


if __name__ == "__main__":
    main()
