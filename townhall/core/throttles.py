"""Per-client rate limits on writes, kept in the shared cache (the database cache without Redis,
Redis with REDIS_URL), so every worker process counts against the same budget."""

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle

from townhall.core.net import client_ip, ip_hash


class ClientThrottle(SimpleRateThrottle):
    """ninja's sliding-window throttle, keyed by client address; the 429 carries Retry-After."""

    def __init__(self, scope: str, setting: str) -> None:
        self.scope = scope
        self.setting = setting
        super().__init__(getattr(settings, setting))

    def allow_request(self, request: HttpRequest) -> bool:
        # Read the rate on each request so an operator's (or a test's) setting applies at once.
        self.rate = getattr(settings, self.setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str:
        # Keyed by a hash: the cache table is no place for readable addresses.
        return f"throttle:{self.scope}:{ip_hash(client_ip(request))}"


WRITE = ClientThrottle("write", "RATE_WRITE")
VOTE = ClientThrottle("vote", "RATE_VOTE")
