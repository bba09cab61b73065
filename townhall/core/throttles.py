"""Per-client rate limits on writes, kept in the shared cache (the database cache without Redis,
Redis with REDIS_URL), so every worker process counts against the same budget."""

import threading
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle

from townhall.core.net import client_ip, ip_hash


class ClientThrottle(SimpleRateThrottle):
    """ninja's sliding-window throttle, keyed by client address; the 429 carries Retry-After.

    ninja keeps one instance per endpoint and stores the request's state on it (key, history,
    now) between allow_request() and wait(); granian serves requests on several threads, so
    that state lives in a thread-local here."""

    _state = threading.local()

    def __init__(self, scope: str, setting: str) -> None:
        self.scope = scope
        self.setting = setting
        super().__init__(getattr(settings, setting))

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: the per-request names live in the thread-local.
        if name in _PER_REQUEST:
            try:
                return getattr(self._state, f"{self.scope}:{name}")
            except AttributeError:
                raise AttributeError(name) from None
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _PER_REQUEST:
            setattr(self._state, f"{self.scope}:{name}", value)
        else:
            super().__setattr__(name, value)

    def allow_request(self, request: HttpRequest) -> bool:
        # Read the rate on each request so an operator's (or a test's) setting applies at once.
        self.rate = getattr(settings, self.setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str:
        # Keyed by a hash: the cache table is no place for readable addresses.
        return f"throttle:{self.scope}:{ip_hash(client_ip(request))}"


_PER_REQUEST = {"key", "history", "now", "rate", "num_requests", "duration"}

WRITE = ClientThrottle("write", "RATE_WRITE")
VOTE = ClientThrottle("vote", "RATE_VOTE")
