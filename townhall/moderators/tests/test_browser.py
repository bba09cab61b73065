"""The moderators' pages in Debian's Chromium (Playwright) against a live server: a queue
cleared with the keyboard alone, and the seed thread's flame war as one item and on the thread
health chart. Screenshots go to test-output/ (gitignored)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from townhall.comments.models import Comment, Site, Status
from townhall.comments.services import site_update
from townhall.comments.tests.factories import make_comment
from townhall.moderation.models import Ban, FlameWar
from townhall.moderators import services
from townhall.moderators.models import AuditLog
from townhall.moderators.tests.conftest import OUTPUT, People, held
from townhall.moderators.tests.seed import seed_load, seed_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEYS = "arsb"  # approve, reject, spam, reject-and-ban (b twice: it asks for confirmation): in turn
TEXTS = [
    "I think the article misses the point about the oil fields.",
    "Buy cheap watches at example dot com, best prices!!!",
    "You are a complete idiot and everybody knows it.",
    "Thanks for the report, very useful.",
    "This is the same thing I said yesterday, read it again.",
]


def fifty_pending(site: Site) -> list[Comment]:
    site = site_update(site=site, premoderate=True)
    comments = []
    start = timezone.now() - timedelta(days=1)
    for i in range(50):
        comments.append(make_comment(
            site, text=f"{TEXTS[i % len(TEXTS)]} ({i})", author_name=f"Reader {i % 7}",
            author_email=f"reader{i % 7}@example.com", status=Status.PENDING,
            created=start + timedelta(minutes=10 * i),  # slower than the flood limit
        ))
    assert all(c.status == Status.PENDING for c in comments)
    return comments


def test_a_moderator_clears_fifty_pending_items_with_the_keyboard(
    live_server: Any, login_page: Any, site: Site, people: People
) -> None:
    fifty_pending(site)
    page = login_page(people.moderator)
    page.goto(live_server.url + "/moderate/")
    page.wait_for_selector("body[data-ready]")
    assert page.locator("[data-item]").count() == 50
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "moderators-queue.png"))

    # Help, and moving about, before deciding.
    page.keyboard.press("?")
    assert page.locator("#help").is_visible()
    page.screenshot(path=str(OUTPUT / "moderators-help.png"))
    page.keyboard.press("Escape")
    assert not page.locator("#help").is_visible()
    first = page.locator("[data-item]").first.get_attribute("data-id")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert page.locator(".is-current").get_attribute("data-id") == page.locator("[data-item]").nth(1).get_attribute("data-id")
    page.keyboard.press("k")
    assert page.locator(".is-current").get_attribute("data-id") == first

    # b only arms the ban: a second b confirms it, any other key cancels it.
    page.keyboard.press("b")
    assert page.locator(".is-current button[data-armed]").count() == 1
    assert "Press again to ban for 7 days" in page.locator("#live").inner_text()
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert page.locator("button[data-armed]").count() == 0
    page.keyboard.press("b")
    page.keyboard.press("Escape")
    assert page.locator("button[data-armed]").count() == 0
    assert page.locator("[data-item]").count() == 50
    assert not Ban.objects.exists()

    decided: dict[str, int] = {}
    for i in range(50):
        key = KEYS[i % len(KEYS)]
        page.keyboard.press(key)
        if key == "b":
            page.keyboard.press("b")
        decided[key] = decided.get(key, 0) + 1
    page.wait_for_selector('body[data-pending="0"]')
    page.wait_for_selector("#empty:not([hidden])")
    assert page.locator("[data-item]").count() == 0
    assert page.locator(".item-error").count() == 0
    assert page.locator('.top nav a[aria-current="page"] .count').inner_text() == "0"

    assert Comment.objects.filter(thread__site=site, status=Status.PENDING).count() == 0
    assert Comment.objects.filter(thread__site=site, status=Status.PUBLISHED).count() == decided["a"]
    assert Ban.objects.filter(site=site).count() == decided["b"]
    entries = AuditLog.objects.filter(site=site, action__startswith="comment.")
    assert entries.count() == 50
    assert {e.actor_id for e in entries} == {people.moderator.pk}
    assert sorted(e.target_id or 0 for e in entries) == sorted(
        Comment.objects.filter(thread__site=site).values_list("id", flat=True))

    # The admin reads all 50 decisions in the audit log.
    audit = login_page(people.admin)
    audit.goto(live_server.url + "/moderate/audit/?site=blog")
    rows = audit.locator('tr[data-audit^="comment."]')
    assert rows.count() == 50
    counts = {key: audit.locator(f'tr[data-audit="comment.{verb}"]').count()
              for key, verb in (("a", "approve"), ("r", "reject"), ("s", "spam"), ("b", "ban"))}
    assert counts == decided
    audit.screenshot(path=str(OUTPUT / "moderators-audit.png"), full_page=False)


def test_the_seed_flame_war_is_one_item_and_on_the_health_chart(
    live_server: Any, login_page: Any, people: People
) -> None:
    site = seed_site()
    thread = seed_load(site)
    assert FlameWar.objects.filter(thread=thread).count() == 1
    war = FlameWar.objects.get(thread=thread)
    page = login_page(people.superuser)

    page.goto(live_server.url + "/moderate/flamewars/")
    page.wait_for_selector("body[data-ready]")
    items = page.locator("li.war")
    assert items.count() == 1
    text = items.first.inner_text()
    assert "Rudy1947" in text and "Hind Abyad" in text
    assert f"{war.comment_count} replies" in text
    assert items.first.locator("ol.hostile > li").count() >= 5
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "moderators-flamewar.png"), full_page=True)

    page.goto(live_server.url + f"/moderate/threads/{thread.pk}/health/")
    chart = page.locator("#health svg")
    assert chart.count() == 1
    assert chart.locator("rect.war-band").count() == 1
    assert chart.locator("polyline.hostility-line").count() == 1
    assert chart.locator("rect.exchange").count() == 1
    assert "longest exchange: " in chart.text_content()
    page.locator("#health").screenshot(path=str(OUTPUT / "moderators-thread-health.png"))
    page.screenshot(path=str(OUTPUT / "moderators-thread-page.png"), full_page=True)


def test_feature_select_bulk_edit_and_a_failed_decision(
    live_server: Any, login_page: Any, site: Site, people: People
) -> None:
    first, second, third = (make_comment(site, text=t) for t in ("First.", "Second.", "Third."))
    page = login_page(people.moderator, allow_http_errors=True)  # one refusal is the point below
    page.goto(live_server.url + "/moderate/queue/approved/")
    page.wait_for_selector("body[data-ready]")
    order = [int(page.locator("[data-item]").nth(i).get_attribute("data-id") or 0) for i in range(3)]
    assert order == [third.pk, second.pk, first.pk]  # history queues read newest first

    # f features in place; the item stays and its button now unfeatures.
    page.keyboard.press("f")
    page.wait_for_selector('body[data-pending="0"] [data-item].is-featured')
    assert Comment.objects.get(pk=third.pk).featured
    assert page.locator(".is-current button[data-key=f]").inner_text().startswith("Unfeature")

    # A decision the server refuses puts the item back with the reason.
    Comment.objects.filter(pk=second.pk).delete()
    page.keyboard.press("j")
    page.keyboard.press("r")
    page.wait_for_selector(".item-error")
    assert page.locator(f'[data-id="{second.pk}"]').is_visible()
    assert "404" in page.locator(".item-error").inner_text()

    # x selects; the bulk button acts on the selection.
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("k")
    page.keyboard.press("k")
    page.keyboard.press("x")
    page.get_by_role("button", name="Reject selected").click()
    page.wait_for_selector(".messages")
    assert "2 comments rejected" in page.locator(".messages").inner_text()
    assert set(Comment.objects.filter(status=Status.REJECTED).values_list("id", flat=True)) == {first.pk, third.pk}

    # e opens the editor for the current item.
    make_comment(site, text="Fourth, to edit.")
    page.goto(live_server.url + "/moderate/queue/approved/")
    page.wait_for_selector("body[data-ready]")
    page.keyboard.press("e")
    page.wait_for_url(re.compile(r"/moderate/comments/\d+/edit/\?next="))
    page.fill("textarea[name=text]", "Fourth, edited.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".messages")
    assert Comment.objects.get(text="Fourth, edited.").moderation["original_text"] == "Fourth, to edit."


def test_one_long_word_does_not_widen_the_pages(
    live_server: Any, login_page: Any, site: Site, people: People
) -> None:
    """A 5,000-letter "word" in a comment, its author's name and a moderator's edit wraps on the
    queue, the thread page and the audit log instead of making them thousands of pixels wide."""
    word = "Ha" * 2500
    comment = held(site, text=word, author_name="N" * 100)
    make_comment(site, text=word, parent=comment.parent, author_name="M" * 100)
    services.comment_edit_text(moderator=people.superuser, comment=comment, text=word + " edited")
    page = login_page(people.superuser)
    for path in ("/moderate/queue/pending/", "/moderate/queue/approved/",
                 f"/moderate/threads/{comment.thread_id}/health/", "/moderate/audit/"):
        page.goto(live_server.url + path)
        page.wait_for_selector("body[data-ready]")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1200, path
