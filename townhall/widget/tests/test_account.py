"""account.js in Chromium, against the live demo: sign-in through the site's own login, staff,
names nobody can borrow, muting, and a reader's own data (fixtures from test_browser)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from townhall.comments.models import Comment, Site
from townhall.comments.services import site_update
from townhall.demo.services import DEMO_URL
from townhall.identity.models import ErasureRequest
from townhall.identity.tests.factories import sso_token
from townhall.moderators import privacy
from townhall.widget.tests.test_browser import (  # noqa: F401 (fixtures)
    Demo,
    comment_with,
    demo,
    open_demo,
    page_factory,
    top_form,
)

pytestmark = [pytest.mark.browser]


def sign_in(page: Any, site: Site, **claims: Any) -> Any:
    result = page.evaluate("t => Townhall.signIn(t)", sso_token(site, **claims))
    assert result["ok"], result
    return result


def post(page: Any, text: str) -> None:
    form = top_form(page)
    form.get_by_role("textbox", name="Comment", exact=True).fill(text)
    form.get_by_role("button", name="Post comment").click()


def test_signed_in_staff_borrowed_names_and_muting(page_factory: Any, demo: Demo) -> None:  # noqa: F811
    reader, _ = page_factory()
    open_demo(reader, demo)
    sign_in(reader, demo.site, sub="42", name="Maya Quill")
    form = top_form(reader)
    expect(form.locator(".th-as")).to_contain_text("Commenting as Maya Quill")
    assert not form.get_by_role("textbox", name="Name", exact=True).is_visible()
    assert not form.get_by_role("textbox", name="Email", exact=True).is_visible()
    post(reader, "The graffiti story deserves a follow-up from the reporters.")
    mine = comment_with(reader, "deserves a follow-up")
    expect(mine.locator(".th-badge")).to_have_text("Verified")
    assert mine.locator(".th-name").first.inner_text() == "Maya Quill"
    # A reload keeps the reader signed in (the reader token stays in the browser).
    open_demo(reader, demo)
    expect(top_form(reader).locator(".th-as")).to_contain_text("Maya Quill")

    editor, _ = page_factory()
    open_demo(editor, demo)
    sign_in(editor, demo.site, sub="ed-1", name="The Night Editor", roles=["staff"])
    post(editor, "A correction was added to the article at 9:40.")
    expect(comment_with(editor, "A correction was added").locator(".th-badge-staff")).to_have_text("Staff")

    stranger, _ = page_factory()
    open_demo(stranger, demo)
    form = top_form(stranger)
    form.get_by_role("textbox", name="Comment", exact=True).fill("I am the real Maya.")
    form.get_by_role("textbox", name="Name", exact=True).fill("Maya Qu\u0456ll")  # a Cyrillic i
    form.get_by_role("button", name="Post comment").click()
    expect(form.locator(".th-f-author_name .th-err")).to_contain_text("name of a signed-in reader")
    assert not Comment.objects.filter(text="I am the real Maya.").exists()

    # The stranger mutes Maya: her comments are hidden for them, and stay hidden after a reload.
    theirs = comment_with(stranger, "deserves a follow-up")
    theirs.locator(".th-actions").get_by_role("button", name="Mute").click()
    muted = stranger.locator("#townhall .th-c", has=stranger.locator(".th-name", has_text="Maya Quill")).first
    expect(muted.locator(".th-actions")).to_contain_text("You muted Maya Quill")
    expect(muted.locator(".th-body")).to_be_hidden()
    open_demo(stranger, demo)
    muted = stranger.locator("#townhall .th-c", has=stranger.locator(".th-name", has_text="Maya Quill")).first
    expect(muted.locator(".th-body")).to_be_hidden()
    muted.get_by_role("button", name="Unmute").click()
    expect(muted.locator(".th-body")).to_contain_text("deserves a follow-up")
    # Nobody else is affected: the reader still sees the comment.
    expect(comment_with(reader, "deserves a follow-up").locator(".th-body")).to_be_visible()

    # A signed-in reader's mutes are on their account: another browser of theirs hides them too.
    open_demo(reader, demo)
    with reader.expect_response(lambda r: "/api/v1/me/mutes/" in r.url and r.request.method == "PUT"):
        comment_with(reader, "A correction was added").locator(".th-actions").get_by_role("button", name="Mute").click()
    expect(reader.locator("#townhall .th-actions", has_text="You muted The Night Editor").first).to_be_visible()
    phone, _ = page_factory()
    open_demo(phone, demo)
    sign_in(phone, demo.site, sub="42", name="Maya Quill")
    expect(phone.locator("#townhall .th-actions", has_text="You muted The Night Editor").first).to_be_visible()


def test_your_data_erasure_with_the_grace_period_and_the_login_link(page_factory: Any, demo: Demo) -> None:  # noqa: F811
    reader, _ = page_factory()
    open_demo(reader, demo)
    sign_in(reader, demo.site, sub="7", name="Ola Nordmann")
    post(reader, "Thanks for the map of the front lines, it helps.")
    expect(comment_with(reader, "map of the front lines")).to_be_visible()
    reader.get_by_role("button", name="Your data").click()
    panel = reader.locator(".th-account")
    expect(panel).to_contain_text("Signed in as Ola Nordmann")
    panel.get_by_role("button", name="Your comments").click()
    expect(panel.locator(".th-mine")).to_contain_text("map of the front lines")
    panel.get_by_role("button", name="Erase my comments…").click()
    expect(panel).to_contain_text("erased in 7 days")
    panel.get_by_role("button", name="Erase them").click()
    expect(panel).to_contain_text("will be erased on")
    due = ErasureRequest.objects.get().due
    assert privacy.erasures_due(now=due - timedelta(hours=1)) == 0
    assert privacy.erasures_due(now=due + timedelta(minutes=1)) == 1
    assert not Comment.objects.filter(text__contains="map of the front lines").exists()

    site_update(site=Site.objects.get(pk=demo.site.pk), sign_in_required=True, login_url=demo.url + "/login")
    anonymous, _ = page_factory()
    open_demo(anonymous, demo)
    link = anonymous.locator("#townhall .th-compose").get_by_role("link", name="Sign in to comment")
    assert link.get_attribute("href") == demo.url + "/login"
    assert anonymous.locator("#townhall .th-actions [data-action='reply']").count() == 0
    assert DEMO_URL  # the thread these comments are on
