"""With REDIS_URL, the cache and rate limits live in Redis, shared by every worker process.
Runs against the Redis at TOWNHALL_TEST_REDIS_URL (CI has one on 127.0.0.1:6379)."""

import os
from typing import Any

import pytest
import redis
from django.test import Client

from townhall.comments.models import Site
from townhall.core.testing import PAGE, post_json

REDIS = os.environ.get("TOWNHALL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_cache(settings: Any) -> Any:
    client = redis.Redis.from_url(REDIS)
    client.flushdb()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS, "KEY_PREFIX": "t"}
    }
    yield client
    client.flushdb()


@pytest.mark.django_db
def test_rate_limit_state_is_in_redis(redis_cache: Any, site: Site, settings: Any) -> None:
    settings.RATE_WRITE = "2/min"
    body = {"site": "blog", "url": PAGE, "text": "hi"}
    assert post_json(Client(), "/api/v1/comments", body).status_code == 201
    # A second client object stands for another worker process: the budget is shared.
    assert post_json(Client(), "/api/v1/comments", body).status_code == 201
    r = post_json(Client(), "/api/v1/comments", body)
    assert r.status_code == 429 and int(r["Retry-After"]) >= 1
    keys = [k.decode() for k in redis_cache.keys("*")]
    assert any("rate:write:" in k for k in keys)
    # Keys hold a hash, never the address itself.
    assert not any("127.0.0.1" in k for k in keys)
