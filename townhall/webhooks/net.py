"""Where a webhook may go, and the one HTTP request that goes there.

An endpoint on a private, loopback, link-local or otherwise non-public address would let a site
admin make this server probe its own network, so those are refused unless the operator lists
the network in TOWNHALL_WEBHOOK_ALLOW_NETWORKS. The check runs when the endpoint is added and
again on every attempt, and the request then connects to the very address that was checked:
a name that resolves to a public address at the check and to 127.0.0.1 a moment later (DNS
rebinding) gets nowhere."""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from django.conf import settings

USER_AGENT = "Townhall-Webhooks/1"
MAX_URL = 500
ERROR_BODY = 200  # characters of a failed answer kept for the delivery log

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(Exception):
    """The endpoint's host is not a public address (and not allow-listed), or does not resolve."""


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for entry in settings.WEBHOOK_ALLOW_NETWORKS:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise AddressRefused(f"TOWNHALL_WEBHOOK_ALLOW_NETWORKS: {entry!r} is not a network") from None
    return networks


def address_allowed(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if any(ip in network for network in allowed_networks()):
        return True
    return ip.is_global and not ip.is_multicast


def url_parts(url: str) -> SplitResult:
    """The URL split, or ValueError saying what is wrong with it."""
    if len(url) > MAX_URL:
        raise ValueError(f"is longer than {MAX_URL} characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise ValueError("must not carry a user name or password (they would show in the delivery log)")
    try:
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError:
        raise ValueError("has an invalid port") from None
    return parts


def _port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def resolve_checked(url: str) -> str:
    """The address to connect to for `url`: every address its host resolves to must be allowed
    (a name with one public and one private address is refused), so the pick cannot matter."""
    parts = url_parts(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, _port(parts), type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise AddressRefused(f"{host} does not resolve") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not address_allowed(ip):
            raise AddressRefused(
                f"{host} resolves to {ip}, a private, loopback or link-local address; an operator can "
                "allow its network with TOWNHALL_WEBHOOK_ALLOW_NETWORKS"
            )
    if not addresses:
        raise AddressRefused(f"{host} does not resolve")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Sends Host: the URL's host, but connects to the address that was checked."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same for TLS; the certificate is checked against the URL's host name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer at all
    error: str  # empty on a 2xx
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Answer:
    """POST once, never following redirects. Each connect and read may take
    TOWNHALL_WEBHOOK_TIMEOUT seconds, and the whole exchange three times that: a receiver that
    drips its answer a byte at a time cannot hold the worker."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        parts = url_parts(url)
        address = resolve_checked(url)
    except (ValueError, AddressRefused) as exc:
        return Answer(None, f"refused: {exc}", took())
    timeout = settings.WEBHOOK_TIMEOUT
    cls = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    conn = cls(parts.hostname or "", _port(parts), address=address, timeout=timeout)
    watchdog = threading.Timer(3 * timeout, _cut, args=(conn,))
    watchdog.start()
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn.request("POST", path, body=body, headers={
            "Content-Type": "application/json", "User-Agent": USER_AGENT, **headers,
        })
        response = conn.getresponse()
        text = response.read(ERROR_BODY).decode("utf-8", "replace")
        status = response.status
    except (OSError, http.client.HTTPException) as exc:
        reason = "timed out" if isinstance(exc, TimeoutError | socket.timeout) else f"{type(exc).__name__}: {exc}"
        return Answer(None, reason[:300], took())
    finally:
        watchdog.cancel()
        conn.close()
    if 200 <= status < 300:
        return Answer(status, "", took())
    error = f"HTTP {status}" + (" (redirects are not followed)" if 300 <= status < 400 else "")
    return Answer(status, f"{error}: {' '.join(text.split())}"[:300], took())


def _cut(conn: http.client.HTTPConnection) -> None:
    # shutdown() wakes a recv() blocked in another thread; close() alone may not.
    sock = conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed: nothing to cut
            sock.shutdown(socket.SHUT_RDWR)
