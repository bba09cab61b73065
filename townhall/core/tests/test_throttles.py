"""The atomic rate counter, with the counter table (no Redis) and with Redis: exact counts under
threads hitting one bucket, exactly the limit per window over a long run, windows that close.
The flood through the API is townhall/public/tests/test_flood.py."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.db import connection

from townhall.core.models import RateCounter
from townhall.core.throttles import parse_rate, rate_counters_purge, rate_hit

REDIS = os.environ.get("TOWNHALL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
pytestmark = pytest.mark.usefixtures("concurrent_db")


@pytest.fixture(params=["table", "redis"])
def store(request: Any, settings: Any) -> Iterator[str]:
    if request.param == "redis":
        client = redis.Redis.from_url(REDIS)
        client.flushdb()
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": REDIS, "KEY_PREFIX": "flood"}}
        yield "redis"
        client.flushdb()
    else:
        # Production's cache without Redis (the counters themselves are in their own table).
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                                       "LOCATION": "townhall_cache"}}
        yield "table"


def burst(n: int, job: Any) -> list[Any]:
    barrier, results, lock = threading.Barrier(n), [], threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            result = job(i)
            with lock:
                results.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_a_long_run_from_one_client_gets_exactly_the_limit_per_window(store: str) -> None:
    limit, period = parse_rate("10/min")
    counts = [rate_hit("write:long-run", period=period) for _ in range(501)]  # bench: 2,001 over HTTP
    assert sum(1 for h in counts if h.count <= limit) == limit
    assert all(0 < h.retry_after <= period for h in counts)


def test_threads_hitting_one_bucket_count_every_hit(store: str) -> None:
    hits = burst(30, lambda i: rate_hit("write:threads", period=60).count)
    assert sorted(hits) == list(range(1, 31))


def test_a_closed_window_starts_again_and_is_purged(store: str) -> None:
    first = rate_hit("write:short", period=1)
    assert first.count == 1
    time.sleep(1.05)
    assert rate_hit("write:short", period=1).count == 1
    if store == "table":
        assert rate_counters_purge(now=time.time() + 2) == 1 and not RateCounter.objects.exists()
