"""How a change reaches every process: the Protocol the hub depends on, and its two
implementations: Redis pub/sub when REDIS_URL is set (any number of machines), else datagrams
between the processes of this machine."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import socket
import tempfile
import time
from functools import cache
from pathlib import Path
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


class MachineBroker:
    """Without Redis: the processes of one machine (granian workers, the task worker,
    `townhall` commands) tell each other over Unix datagram sockets in a folder named after the
    database. A change is applied at once where it was made and sent to every other listening
    process; a socket left by a process that died is removed by the first send that finds it
    dead. Other machines sharing the database hear nothing: they need Redis."""

    def __init__(self, hub: Hub, folder: Path) -> None:
        self.hub = hub
        self.folder = folder
        self.address = str(folder / f"{os.getpid()}.sock")
        self._out = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._out.setblocking(False)

    def publish(self, change: Change) -> None:
        self.hub.apply(change)
        try:
            peers = [p for p in os.listdir(self.folder) if p.endswith(".sock")]
        except FileNotFoundError:
            return  # nobody listens
        data = change.encode()
        for name in peers:
            path = str(self.folder / name)
            if path == self.address:
                continue
            try:
                self._out.sendto(data, path)
            except (ConnectionRefusedError, FileNotFoundError):
                with contextlib.suppress(OSError):
                    os.unlink(path)  # its process is gone
            except OSError:
                # A full queue or an oversized change: that process's entries age out within
                # MAX_STALE, and its readers miss this one event.
                logger.warning("could not pass a change to %s", name, exc_info=True)

    async def listen(self) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.address)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(self.address)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        sock.setblocking(False)
        loop = asyncio.get_running_loop()

        def receive() -> None:
            while True:
                try:
                    data = sock.recv(1 << 20)
                except BlockingIOError:
                    return
                heard(self.hub, data)

        loop.add_reader(sock.fileno(), receive)
        try:
            await asyncio.Event().wait()
        finally:
            loop.remove_reader(sock.fileno())
            sock.close()
            with contextlib.suppress(OSError):
                os.unlink(self.address)


class RedisBroker:
    """Every process publishes to one channel and listens on it. A change is applied at once
    where it was made (its echo is skipped); a dropped subscription invalidates everything
    and marks earlier events unprovable, since changes may have passed unheard."""

    def __init__(self, hub: Hub, url: str) -> None:
        self.hub = hub
        self.url = url
        self._client = redis.Redis.from_url(url)
        # Channels are shared by every database of a Redis server; installations sharing one
        # server keep apart by database number, as their cache keys do.
        self.channel = f"{CHANNEL}:{self._client.connection_pool.connection_kwargs.get('db', 0)}"

    def publish(self, change: Change) -> None:
        self.hub.apply(change)
        try:
            self._client.publish(self.channel, change.encode())
        except redis.RedisError:
            # The write has committed; other processes' entries still age out within MAX_STALE.
            logger.warning("could not publish a change to Redis", exc_info=True)

    async def listen(self) -> None:
        while True:
            client = aioredis.Redis.from_url(self.url)
            try:
                async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self.channel)
                    self.hub.invalidate()
                    self.hub.complete_since = time.time_ns()
                    async for message in pubsub.listen():
                        heard(self.hub, message["data"])
            except (redis.RedisError, OSError):
                logger.warning("lost the Redis subscription; retrying", exc_info=True)
            finally:
                await client.aclose()
            await asyncio.sleep(RETRY_SECONDS)


def heard(hub: Hub, raw: bytes) -> None:
    """A change from another process: invalidate, and pass its event to this process's readers."""
    try:
        change = Change.decode(raw)
    except (ValueError, TypeError):
        logger.warning("ignored a change that is not one: %r", raw[:200])
        return
    if change.process != PROCESS:
        hub.invalidate(change.site, change.thread)
        if change.kind:
            hub.deliver(change)


def sqlite_path() -> str:
    db = settings.DATABASES["default"]
    return str(db["NAME"]) if str(db["ENGINE"]).endswith("sqlite3") else ""


@cache
def hub() -> Hub:
    return Hub(sqlite_path=sqlite_path())


def machine_folder() -> Path:
    """Short (a socket's path has a 108-byte limit) and the same for every process of one
    installation: named after the data directory and the database."""
    db = settings.DATABASES["default"]
    name = f"{settings.DATA_DIR}|{db.get('HOST')}|{db.get('PORT')}|{db.get('NAME')}"
    return Path(tempfile.gettempdir()) / f"townhall-{hashlib.blake2s(name.encode(), digest_size=6).hexdigest()}"


@cache
def broker() -> Broker:
    if settings.REDIS_URL:
        return RedisBroker(hub(), settings.REDIS_URL)
    return MachineBroker(hub(), machine_folder())
