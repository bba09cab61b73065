"""How a change reaches every process: the Protocol the hub depends on, and its two
implementations. One process needs nothing but itself; several (granian workers, machines)
share Redis pub/sub when REDIS_URL is set."""

from __future__ import annotations

import asyncio
import logging
import time
from functools import cache
from typing import Protocol

import redis
import redis.asyncio as aioredis
from django.conf import settings

from townhall.live.changes import PROCESS, Change
from townhall.live.hub import Hub

logger = logging.getLogger("townhall.live")
CHANNEL = "townhall:live"
RETRY_SECONDS = 1.0


class Broker(Protocol):
    def publish(self, change: Change) -> None:
        """From any thread, after the commit: every process applies `change`."""

    async def listen(self) -> None:
        """On the event loop, for the life of the process: apply changes made elsewhere."""


class LocalBroker:
    """One process: a change is applied where it was made. Other processes (a second granian
    worker, `townhall` commands) learn of writes through SQLite's data_version or, failing
    that, their responses' MAX_STALE."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def publish(self, change: Change) -> None:
        self.hub.apply(change)

    async def listen(self) -> None:
        await asyncio.Event().wait()


class RedisBroker:
    """Every process publishes to one channel and listens on it. A change is applied at once
    where it was made (its echo is skipped); a dropped subscription invalidates everything
    and marks earlier events unprovable, since changes may have passed unheard."""

    def __init__(self, hub: Hub, url: str) -> None:
        self.hub = hub
        self.url = url
        self._client = redis.Redis.from_url(url)

    def publish(self, change: Change) -> None:
        self.hub.apply(change)
        try:
            self._client.publish(CHANNEL, change.encode())
        except redis.RedisError:
            # The write has committed; other processes' entries still age out within MAX_STALE.
            logger.warning("could not publish a change to Redis", exc_info=True)

    async def listen(self) -> None:
        while True:
            client = aioredis.Redis.from_url(self.url)
            try:
                async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    self.hub.invalidate()
                    self.hub.complete_since = time.time_ns()
                    async for message in pubsub.listen():
                        change = Change.decode(message["data"])
                        if change.process != PROCESS:
                            self.hub.invalidate(change.site, change.thread)
                            if change.kind:
                                self.hub.deliver(change)
            except (redis.RedisError, OSError):
                logger.warning("lost the Redis subscription; retrying", exc_info=True)
            finally:
                await client.aclose()
            await asyncio.sleep(RETRY_SECONDS)


def sqlite_path() -> str:
    db = settings.DATABASES["default"]
    return str(db["NAME"]) if str(db["ENGINE"]).endswith("sqlite3") else ""


@cache
def hub() -> Hub:
    return Hub(sqlite_path=sqlite_path())


@cache
def broker() -> Broker:
    return RedisBroker(hub(), settings.REDIS_URL) if settings.REDIS_URL else LocalBroker(hub())
