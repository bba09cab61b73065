"""Following an article from the widget: the module is fetched only when a reader asks, shows
the API's field errors, and a good address becomes a follow waiting for its confirmation."""

from __future__ import annotations

from typing import Any

import pytest

from townhall.demo.services import DEMO_URL
from townhall.notifications.models import ThreadFollow
from townhall.widget.tests.test_browser import Demo, demo, open_demo, page_factory  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser]


def test_follow_by_email_loads_its_module_on_demand(page_factory: Any, demo: Demo) -> None:  # noqa: F811
    tab, watch = page_factory()
    open_demo(tab, demo)
    assert not [u for u in watch.requests if u.endswith("/follow.js")], "nobody asked yet"
    tab.get_by_role("button", name="Follow by email").click()
    field = tab.get_by_label("Your email address (never shown)")
    field.fill("not an address")
    tab.locator("#townhall .th-followform button[type=submit]").click()
    status = tab.locator("#townhall .th-followform [role=status]")
    status.filter(has_text="Email: is not an email address.").wait_for()
    assert field.get_attribute("aria-invalid") == "true" and not ThreadFollow.objects.exists()
    field.fill("fan@readers.example")
    tab.locator("#townhall .th-followform button[type=submit]").click()
    status.filter(has_text="confirm it first").wait_for()
    assert [u for u in watch.requests if u.endswith("/static/townhall/follow.js")]
    follow = ThreadFollow.objects.select_related("thread").get()
    assert follow.thread.url == DEMO_URL and follow.thread.followers == 1
