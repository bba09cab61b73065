"""Where a post's time goes: the whole request in one process, profiled.

    .venv/bin/python bench/posting_profile.py [--posts 60]

Builds a throwaway data directory (migrate, the demo site), warms the moderation models, then
posts --posts comments through Django's test client (the full middleware stack, the API, the
pipeline, the write, the after-commit consumers), each from its own author. It prints the
latency without the profiler, then the profiled share of each of Townhall's own steps
(cumulative time per post). The database is SQLite unless DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SENTENCE = ("the council voted again on the new bridge after a long meeting where residents asked about cost "
            "traffic schools parking safety noise river budget delays contractors weather summer plans")
WORDS = sorted(set(SENTENCE.split()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=60)
    args = parser.parse_args()
    os.environ.setdefault("TOWNHALL_DATA_DIR", tempfile.mkdtemp(prefix="townhall-profile-"))
    os.environ.update(DJANGO_SETTINGS_MODULE="townhall.settings", TOWNHALL_RATE_WRITE="1000000/min",
                      TOWNHALL_TRUSTED_PROXIES="1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from townhall.demo.services import demo_load
    from townhall.moderation.ml import warm_up

    call_command("migrate", verbosity=0)
    demo_load(serving_origins=[])
    warm_up()
    client = Client()

    def post(i: int) -> None:
        words = random.Random(i).sample(WORDS, 12)
        body = {"site": "demo", "url": "https://news.example/profile", "text": f"Profile {i}: {' '.join(words)}.",
                "author_name": f"Author {i}"}
        response = client.post("/api/v1/comments", data=json.dumps(body), content_type="application/json",
                               headers={"X-Forwarded-For": f"10.2.{i % 8}.1"})
        assert response.status_code in (201, 202), response.content

    for i in range(5):
        post(i)
    took = []
    for i in range(5, 5 + args.posts):
        started = time.perf_counter()
        post(i)
        took.append(time.perf_counter() - started)
    took.sort()
    print(f"{args.posts} posts, unprofiled: p50 {took[len(took) // 2] * 1000:.1f} ms, "
          f"p90 {took[int(len(took) * 0.9)] * 1000:.1f} ms (load average {os.getloadavg()[0]:.1f})")
    profile = cProfile.Profile()
    for i in range(10_000, 10_000 + args.posts):
        profile.enable()
        post(i)
        profile.disable()
    stats = pstats.Stats(profile)
    rows = []
    for (filename, line, name), (_, calls, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        own = str(ROOT / "townhall") + "/"
        if filename.startswith(own):
            where = filename.removeprefix(own)
            rows.append((cumulative / args.posts * 1000, calls / args.posts, f"{where}:{line} {name}"))
    print("\nprofiled, per post (cumulative ms, calls): Townhall's functions over 1 ms")
    for ms, calls, where in sorted(rows, reverse=True):
        if ms >= 1:
            print(f"  {ms:6.1f} ms  {calls:4.1f}x  {where}")


if __name__ == "__main__":
    main()
