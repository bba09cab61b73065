"""Client addresses: which one to trust, and how much of it to keep."""

import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address, trusting exactly TOWNHALL_TRUSTED_PROXIES hops of X-Forwarded-For.

    Trusting more hops than there are proxies would let any client pick its own address and
    walk around rate limits and bans.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"
    hops = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if hops <= 0 or not forwarded:
        return remote
    addrs = [a.strip() for a in forwarded.split(",") if a.strip()]
    if not addrs:
        return remote
    candidate = addrs[-min(hops, len(addrs))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def truncate_ip(ip: str) -> str:
    """Keep the network, drop the host: IPv4 /24, IPv6 /48."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    prefix = 24 if addr.version == 4 else 48
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False).network_address)


def ip_hash(ip: str) -> str:
    """A keyed hash for per-IP limits that need no readable address."""
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()[:32]
