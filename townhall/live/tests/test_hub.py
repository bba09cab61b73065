"""The hub's memory: bounded in entries and bytes, and a response Django made while a change
committed is not kept (it may show the old version)."""

from __future__ import annotations

import time

import pytest

from townhall.live import hub as hub_module
from townhall.live.hub import Cached, Hub


def entry(body: bytes, *, thread: int = 1, site: str = "blog") -> Cached:
    return Cached(200, [], body, time.monotonic() + 60, site, thread)


def test_kept_bodies_stay_within_the_byte_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    hub = Hub()
    monkeypatch.setattr(hub_module, "ENTRY_BYTES", 1000)
    for i in range(10):
        hub.store(("page", i), entry(b"x" * 300, thread=i), seen=hub.changes)
        assert hub.size == sum(len(e.body) for e in hub.entries.values()) <= 1000
    assert list(hub.entries) == [("page", 7), ("page", 8), ("page", 9)]  # the newest stay
    hub.store(("page", 9), entry(b"y" * 10, thread=9), seen=hub.changes)  # replaced, not doubled
    assert hub.size == 610


def test_an_answer_made_across_a_change_is_not_kept_and_a_change_drops_its_thread_and_site() -> None:
    hub = Hub()
    seen = hub.changes
    hub.invalidate("blog", 3)  # committed while Django was answering
    hub.store(("stale",), entry(b"old", thread=3), seen=seen)
    assert hub.get(("stale",)) is None
    hub.store(("page3",), entry(b"3", thread=3), seen=hub.changes)
    hub.store(("page4",), entry(b"4", thread=4), seen=hub.changes)
    hub.store(("counts",), entry(b"c", thread=0), seen=hub.changes)
    hub.store(("other site",), entry(b"o", thread=0, site="news"), seen=hub.changes)
    hub.invalidate("blog", 3)
    assert [k for k in (("page3",), ("page4",), ("counts",), ("other site",)) if hub.get(k)] == [("page4",), ("other site",)]
    assert hub.size == 2
