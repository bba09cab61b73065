"""The widget's live updates (live.js): new comments wait behind a button and go in on a click
without moving what the reader is reading; deletions apply at once; the module is loaded only
once the thread is shown. The stream itself is tested in townhall/live; here the browser gets
its events from a route, so the test server needs no ASGI layer."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import expect

from townhall.comments.models import Comment
from townhall.comments.tests.factories import make_comment
from townhall.demo.services import DEMO_URL
from townhall.widget.tests.test_browser import Demo, demo, open_demo, page, page_factory  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser]


class Events:
    """What the route answers on GET /api/v1/live: events after the browser's Last-Event-ID,
    then the end of the response (EventSource reconnects after `retry`)."""

    def __init__(self) -> None:
        self.frames: list[tuple[int, str, str]] = []

    def add(self, kind: str, data: str) -> None:
        self.frames.append((len(self.frames) + 1, kind, data))

    def handle(self, route: Any) -> None:
        # Chromium's resumption header does not show in an intercepted request; replaying what
        # it already has is harmless (a comment on screen is never placed twice).
        last = route.request.all_headers().get("last-event-id")
        body = "retry: 100\n\n" + "".join(
            f"id: {i}\nevent: {kind}\ndata: {data}\n\n" for i, kind, data in self.frames if i > int(last or 0)
        )
        route.fulfill(status=200, headers={"Content-Type": "text/event-stream"}, body=body)


def test_new_comments_wait_for_a_click_and_go_in_without_moving_the_page(page: Any, demo: Demo) -> None:  # noqa: F811
    events = Events()
    page.route("**/api/v1/live?*", events.handle)
    open_demo(page, demo)
    expect(page.locator("#townhall .th-live")).to_be_hidden()
    reading = page.locator(demo.el(5))
    reading.scroll_into_view_if_needed()
    page.mouse.wheel(0, 300)
    top = reading.evaluate("e => e.getBoundingClientRect().top")
    first = demo.ids[1]
    detail = lambda pk: Client().get(f"/api/v1/comments/{pk}").content.decode()  # noqa: E731
    reply = make_comment(demo.site, url=DEMO_URL, parent=Comment.objects.get(pk=first), text="A live reply above the reader.")
    newest = make_comment(demo.site, url=DEMO_URL, text="A live top-level comment.")
    events.add("published", detail(reply.pk))
    events.add("published", detail(newest.pk))
    bar = page.locator("#townhall .th-live")
    expect(bar).to_have_text("Show 2 new comments")
    assert "A live reply" not in page.locator("#townhall .th-list").inner_text()  # not before the click
    assert abs(reading.evaluate("e => e.getBoundingClientRect().top") - top) < 2
    heading = page.locator("#townhall h2").inner_text()
    bar.click()
    expect(page.locator(f"#comment-{reply.pk}")).to_contain_text("A live reply above the reader.")
    assert page.locator(f"#comment-{reply.pk}").evaluate("e => e.parentElement.closest('.th-c').id") == f"comment-{first}"
    expect(page.locator(f"#comment-{newest.pk}")).to_be_attached()
    assert abs(reading.evaluate("e => e.getBoundingClientRect().top") - top) < 2  # still where it was
    assert page.locator("#townhall h2").inner_text() == f"{int(heading.split()[0]) + 2} comments"
    expect(bar).to_be_hidden()
    # A deletion applies at once (the browser reconnected and got it).
    events.add("deleted", f'{{"id": {newest.pk}, "placeholder": false}}')
    expect(page.locator(f"#comment-{newest.pk}")).to_have_count(0)
    assert page.locator("#townhall h2").inner_text() == f"{int(heading.split()[0]) + 1} comments"
    assert page.locator(f"#comment-{reply.pk}").count() == 1  # replayed, not placed twice
