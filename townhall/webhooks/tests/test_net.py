"""Where a webhook may go: public addresses, or networks the operator allowed; checked again at
every attempt against what the name resolves to then."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest

from townhall.webhooks import net


def resolving_to(monkeypatch: pytest.MonkeyPatch, *addresses: str) -> None:
    def fake(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        family = {4: socket.AF_INET, 6: socket.AF_INET6}
        return [(family[ipaddress.ip_address(a).version], socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "192.168.0.10", "172.16.5.5", "169.254.169.254", "100.64.0.1", "0.0.0.0",  # noqa: S104 - refused, not bound
    "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "224.0.0.1",
])
def test_private_loopback_and_link_local_addresses_are_refused(settings: Any, monkeypatch: pytest.MonkeyPatch,
                                                               address: str) -> None:
    settings.WEBHOOK_ALLOW_NETWORKS = []
    resolving_to(monkeypatch, address)
    with pytest.raises(net.AddressRefused, match="private, loopback or link-local"):
        net.resolve_checked("https://hooks.example/in")


def test_a_public_address_passes_and_an_allowed_network_too(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.WEBHOOK_ALLOW_NETWORKS = []
    resolving_to(monkeypatch, "93.184.216.34")
    assert net.resolve_checked("https://hooks.example/in") == "93.184.216.34"
    settings.WEBHOOK_ALLOW_NETWORKS = ["10.0.0.0/8"]
    resolving_to(monkeypatch, "10.9.8.7")
    assert net.resolve_checked("http://hooks.internal/in") == "10.9.8.7"


def test_one_private_address_among_public_ones_refuses_the_name(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.WEBHOOK_ALLOW_NETWORKS = []
    resolving_to(monkeypatch, "93.184.216.34", "127.0.0.1")
    with pytest.raises(net.AddressRefused):
        net.resolve_checked("https://hooks.example/in")


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://hooks.example/", "http:// or https://"),
    ("https:///nohost", "http:// or https://"),
    ("https://user:pw@hooks.example/", "user name or password"),
    ("https://hooks.example:99999/", "invalid port"),
    ("https://hooks.example/" + "a" * 500, "longer than 500"),
])
def test_urls_that_are_not_plain_web_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        net.url_parts(url)


def test_a_redirect_is_not_followed_and_the_log_says_so(receiver: Any) -> None:
    receiver.script = [302]
    answer = net.post(receiver.url, body=b"{}", headers={})
    assert not answer.ok and answer.status == 302 and "redirects are not followed" in answer.error
    assert len(receiver.received) == 1
