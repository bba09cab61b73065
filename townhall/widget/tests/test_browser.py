"""The widget in Debian's Chromium (driven by Playwright), against a live server with the demo
loaded. Install the browser and axe-core first: scripts/install-browser.sh.

Every test waits for the widget to say it has rendered (`#townhall[data-townhall-ready]`)
before asserting, and every request the page makes goes through a route that records it and
blocks anything not addressed to the live server (checked again after each test).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from townhall.comments.cache import page_cache
from townhall.comments.models import Comment, Site, Status, Thread
from townhall.comments.services import comment_vote, site_update, thread_set_closed
from townhall.comments.tests.factories import make_comment
from townhall.demo.services import DEMO_URL, demo_load, load_seed_document

# Playwright's sync API runs an event loop in this thread; the ORM calls made here to set up
# data are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
OUTPUT = Path(__file__).resolve().parents[3] / "test-output"

pytestmark = [
    pytest.mark.browser,
]


class Demo:
    """The live server with the demo loaded, and the seed's ids mapped to database ids."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.site, _ = demo_load(serving_origins=[url])
        seed = load_seed_document()["comments"]
        rows = list(Comment.objects.filter(thread__site=self.site).order_by("id").values_list("id", flat=True))
        self.ids = {item["id"]: pk for item, pk in zip(seed, rows, strict=True)}
        self.seed = {item["id"]: item for item in seed}
        # The demo is loaded through the moderation pipeline: some seed comments wait in the queue.
        published = set(Comment.objects.filter(pk__in=rows, status=Status.PUBLISHED).values_list("id", flat=True))
        self.shown = [sid for sid, pk in self.ids.items() if pk in published]

    def count(self, more: int = 0) -> str:
        """The heading for the published comments now, plus `more`: what readers can see."""
        n = Comment.objects.filter(thread__site=self.site, thread__url=DEMO_URL, status=Status.PUBLISHED).count()
        return f"{n + more} comments"

    def el(self, seed_id: int) -> str:
        return f"#comment-{self.ids[seed_id]}"

    def policy(self, **changes: Any) -> None:
        self.site = site_update(site=Site.objects.get(pk=self.site.pk), **changes)


@pytest.fixture
def demo(transactional_db: None, live_server: Any, settings: Any) -> Demo:
    settings.RATE_WRITE = "1000/min"
    settings.RATE_VOTE = "1000/min"
    page_cache.clear()
    return Demo(live_server.url)


class Watch:
    """What a page did: requests (by URL), dialogs, console errors."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.foreign: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []


@pytest.fixture
def page_factory(browser: Any, demo: Demo) -> Iterator[Any]:
    contexts: list[Any] = []
    watches: list[Watch] = []
    allowed = urlsplit(demo.url).netloc

    def make(extra_hosts: frozenset[str] | set[str] = frozenset(), **context_args: Any) -> tuple[Any, Watch]:
        context_args.setdefault("viewport", {"width": 1000, "height": 900})
        context = browser.new_context(**context_args)
        contexts.append(context)
        watch = Watch()
        watches.append(watch)

        def route(r: Any) -> None:
            url = r.request.url
            watch.requests.append(url)
            if url.startswith(("data:", "blob:")) or urlsplit(url).netloc in {allowed, *extra_hosts}:
                r.continue_()
            else:
                watch.foreign.append(url)
                r.abort()

        context.set_default_timeout(10_000)
        context.route("**/*", route)
        page = context.new_page()

        def dialog(d: Any) -> None:
            watch.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)
        page.on("pageerror", lambda e: watch.errors.append(str(e)))
        return page, watch

    yield make
    for context in contexts:
        context.close()
    for watch in watches:
        assert watch.foreign == [], f"requests to other hosts: {watch.foreign}"
        assert watch.dialogs == [], f"dialogs opened: {watch.dialogs}"
        assert watch.errors == [], f"script errors: {watch.errors}"


@pytest.fixture
def page(page_factory: Any) -> Any:
    return page_factory()[0]


def open_demo(page: Any, demo: Demo, hash: str = "") -> Any:
    page.goto(demo.url + "/" + hash)
    page.wait_for_selector("#townhall[data-townhall-ready]", timeout=15_000)
    return page


def parent_of(page: Any, selector: str) -> str | None:
    return page.eval_on_selector(selector, "e => { const p = e.parentElement.closest('.th-c'); return p && p.id }")


def load_all_replies(page: Any) -> int:
    clicks = 0
    while page.locator("#townhall .th-more").count():
        before = page.locator("#townhall .th-c").count()
        page.locator("#townhall .th-more").first.click()
        page.wait_for_function(f"() => document.querySelectorAll('#townhall .th-c').length > {before}")
        clicks += 1
    return clicks


def comment_with(page: Any, text: str) -> Any:
    """The comment whose own body holds `text` (not an ancestor that contains it)."""
    return page.locator("#townhall .th-body", has_text=text).locator("xpath=ancestor::article[1]")


def top_form(page: Any) -> Any:
    return page.locator("#townhall .th-compose form")


# ---------------------------------------------------------------------------- reading


def test_demo_shows_the_seed_thread_with_its_nesting_and_count(page: Any, demo: Demo) -> None:
    open_demo(page, demo)
    count = demo.count()
    assert page.locator("#townhall h2").inner_text() == count
    page.wait_for_selector(f"a[data-townhall-count][data-townhall-counted='{count.split()[0]}']")
    assert page.locator("a[data-townhall-count]").inner_text() == count

    # The first page shows the first replies of the one top-level comment, nested.
    assert parent_of(page, demo.el(1)) is None
    assert parent_of(page, demo.el(2)) == demo.el(1)[1:]
    # Comment 3 ("worthless crap article") waits for a moderator: its place is kept, its text is not
    # shown, and the reply to it stays readable beneath.
    assert "This comment is awaiting moderation." in page.locator(demo.el(3)).inner_text()
    assert "worthless crap article" not in page.locator(demo.el(3)).inner_text()
    assert parent_of(page, demo.el(3)) == demo.el(1)[1:]
    assert parent_of(page, demo.el(4)) == demo.el(3)[1:]
    assert parent_of(page, demo.el(5)) == demo.el(4)[1:]
    assert page.locator(f"{demo.el(5)} > .th-main").inner_text().startswith("Rudy1947")
    assert "In one article his speech was described as" in page.locator(f"{demo.el(5)} .th-body").first.inner_text()

    # The published replies under comment 5 (55 in the seed) are all reachable through "more
    # replies", and the count is what a reader can see.
    assert load_all_replies(page) >= 4
    assert f"{page.locator('#townhall .th-c:not(.th-held)').count()} comments" == count
    under_5 = [sid for sid in demo.shown if demo.seed[sid]["parent"] == 5]
    assert len(under_5) >= 40
    for sid in under_5:
        assert parent_of(page, demo.el(sid)) == demo.el(5)[1:], sid
    # In reading order: the replies follow one another as in the seed.
    order = page.eval_on_selector_all(f"{demo.el(5)} > .th-replies > .th-c", "els => els.map(e => e.id)")
    assert order == [demo.el(sid)[1:] for sid in under_5]
    assert page.locator(f"{demo.el(under_5[-1])} .th-body").inner_text().strip()

    # Relative time in the text, exact time on hover and in the datetime attribute.
    time_el = page.locator(f"{demo.el(1)} > .th-main time")
    assert "ago" in time_el.inner_text()
    assert time_el.get_attribute("datetime").startswith("2016-09-")
    assert "2016" in time_el.get_attribute("title")
    # Avatars are drawn in the page: an inline SVG, no image request.
    assert page.locator(f"{demo.el(1)} > .th-main svg.th-av rect").count() > 1


def test_badges_edited_mark_and_share_link(page: Any, demo: Demo) -> None:
    from django.contrib.auth.models import User

    from townhall.core.tokens import edit_token_issue
    from townhall.moderation.services import comment_feature
    from townhall.posting.services import comment_edit

    comment_feature(comment=Comment.objects.get(pk=demo.ids[2]), featured=True)
    staff = User.objects.create_user("editor", is_staff=True)
    note = make_comment(demo.site, url=DEMO_URL, text="A note from the editors.", author_name="The Editors", user=staff)
    comment_edit(comment_id=note.pk, edit_token=edit_token_issue(note.pk), text="A corrected note from the editors.")

    open_demo(page, demo)
    assert page.locator(f"{demo.el(2)} > .th-main .th-badge").inner_text().lower() == "featured"
    mine = comment_with(page, "A corrected note")
    assert mine.locator(".th-badge").inner_text().lower() == "staff"
    edited = mine.locator(".th-edited")
    assert edited.inner_text() == "edited" and edited.get_attribute("title").startswith("Edited ")

    mine.locator(".th-actions").get_by_role("button", name="Share").click()
    link = mine.locator(".th-share input").input_value()
    assert link == f"{DEMO_URL}#comment-{note.pk}"
    assert mine.locator(".th-share a").get_attribute("href").startswith("mailto:?")
    assert mine.locator(".th-actions").get_by_role("button", name="Share").get_attribute("aria-expanded") == "true"


def test_collapse_and_expand_a_subtree(page: Any, demo: Demo) -> None:
    open_demo(page, demo)
    toggle = page.locator(f"{demo.el(3)} > .th-main .th-toggle")
    assert toggle.get_attribute("aria-expanded") == "true"
    controls = toggle.get_attribute("aria-controls")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator(f"#{controls}").is_visible()
    assert not page.locator(demo.el(4)).is_visible()
    assert re.match(r"Show \d+ replies", toggle.inner_text())
    toggle.press("Enter")  # keyboard works too
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator(demo.el(4)).is_visible()


def test_permalink_on_a_fresh_load_loads_scrolls_and_highlights(page: Any, demo: Demo) -> None:
    # The last seed reply is on the last page of replies: the widget must load its way there.
    target = demo.el(demo.shown[-1])
    open_demo(page, demo, "#" + target[1:])
    page.wait_for_selector(f"{target}.th-hl")
    assert page.evaluate("document.activeElement.id") == target[1:]
    box = page.locator(target).bounding_box()
    assert box is not None and 0 <= box["y"] < 900
    assert parent_of(page, target) == demo.el(5)[1:]
    # Following another comment's permalink in the same page moves the highlight.
    page.locator(f"{demo.el(2)} .th-perma").click()
    page.wait_for_selector(f"{demo.el(2)}.th-hl")
    assert page.locator(".th-hl").count() == 1


def test_permalink_far_down_a_long_thread_shows_the_comment_focused_first(page: Any, demo: Demo) -> None:
    demo.policy(page_size=1)
    made = [
        make_comment(demo.site, url=DEMO_URL, text=f"Top-level number {i}", author_name="Many")
        for i in range(12)
    ]
    target = f"comment-{made[-1].pk}"
    open_demo(page, demo, "#" + target)
    focused = page.locator(f"#th-focused-{made[-1].pk}")
    focused.wait_for()
    assert "Top-level number 11" in focused.inner_text()
    assert page.locator(f"#{target}").count() == 0
    page.locator("#townhall .th-focus").get_by_role("button", name="Show it in the whole thread").click()
    page.wait_for_selector(f"#{target}.th-hl")
    assert not page.locator("#townhall .th-focus").is_visible()
    assert page.locator("#townhall .th-list > .th-c").count() == 13


def test_permalink_to_a_comment_of_another_thread_is_not_shown(page: Any, demo: Demo) -> None:
    other = make_comment(demo.site, url=DEMO_URL + "-other", text="Elsewhere entirely", author_name="X")
    open_demo(page, demo, f"#comment-{other.pk}")
    page.wait_for_function("() => document.querySelector('#townhall [role=status]').textContent.includes('not available')")
    assert comment_with(page, "Elsewhere entirely").count() == 0


def test_sort_and_load_more(page: Any, demo: Demo) -> None:
    demo.policy(page_size=2)
    made = [
        make_comment(demo.site, url=DEMO_URL, text=f"Top-level comment {i}", author_name=f"Reader {i}")
        for i in range(3)
    ]
    comment_vote(comment_id=made[0].pk, reader="reader-a", ip="192.0.2.1", value=1)
    first, second, third = (f"#comment-{m.pk}" for m in made)

    open_demo(page, demo)
    tops = "#townhall .th-list > .th-c"
    assert page.locator(tops).count() == 2
    more = page.locator("#townhall .th-loadmore")
    assert more.is_visible()
    more.click()
    page.wait_for_function(f"() => document.querySelectorAll('{tops}').length === 4")
    assert not more.is_visible()
    assert page.locator(f"{tops}:nth-child(3)").get_attribute("id") == second[1:]

    page.select_option("#townhall .th-toolbar select", "newest")
    page.wait_for_function(f"() => document.querySelector('{tops}')?.id === '{third[1:]}'")
    page.select_option("#townhall .th-toolbar select", "top")
    page.wait_for_function(f"() => document.querySelector('{tops}')?.id === '{first[1:]}'")
    # The choice is remembered for the next visit.
    page.reload()
    page.wait_for_selector("#townhall[data-townhall-ready]")
    assert page.locator("#townhall .th-toolbar select").input_value() == "top"


# ---------------------------------------------------------------------------- writing


def test_post_reply_edit_countdown_and_delete(page: Any, demo: Demo) -> None:
    open_demo(page, demo)
    form = top_form(page)
    assert "Your email address will not be published. Required fields are marked *" in form.inner_text()
    assert "English-only" in page.locator("#townhall .th-rules").inner_text()
    form.get_by_role("textbox", name="Comment", exact=True).fill("A calmer **point**: the graffiti was *brave*.")
    form.get_by_role("button", name="Preview").click()
    preview = form.locator(".th-preview")
    assert preview.locator("strong").inner_text() == "point"
    form.get_by_role("button", name="Write").click()
    form.get_by_role("textbox", name="Name", exact=True).fill("Careful Reader")
    form.get_by_label("Remember me in this browser").check()
    form.get_by_role("button", name="Post comment").click()

    mine = comment_with(page, "A calmer point")
    mine.wait_for()
    assert page.locator("#townhall h2").inner_text() == demo.count()
    assert mine.locator(".th-body strong").inner_text() == "point"
    page.wait_for_function("() => document.querySelector('#townhall [role=status]').textContent.includes('published')")
    my_id = mine.get_attribute("id")

    # Reply to it, inline; the remembered name fills the new form.
    mine.locator(".th-actions").get_by_role("button", name="Reply").click()
    reply_form = page.locator(f"#{my_id} .th-form")
    assert reply_form.get_by_role("textbox", name="Name", exact=True).input_value() == "Careful Reader"
    reply_form.get_by_role("textbox", name="Comment", exact=True).fill("And a reply to myself.")
    reply_form.get_by_role("button", name="Post reply").click()
    reply = page.locator(f"#{my_id} .th-replies > .th-c", has_text="And a reply to myself.")
    reply.wait_for()
    assert page.locator("#townhall h2").inner_text() == demo.count()
    reply_id = reply.get_attribute("id")

    # The edit window counts down.
    left = page.locator(f"#{reply_id} .th-left")
    first = left.inner_text()
    assert re.search(r"1[45]:\d\d", first), first
    page.wait_for_function(
        "([id, t]) => document.querySelector('#' + id + ' .th-left').textContent !== t", arg=[reply_id, first]
    )

    # Edit it.
    page.locator(f"#{reply_id} .th-actions").get_by_role("button", name="Edit").click()
    editor = page.locator(f"#{reply_id} .th-edit-form textarea")
    assert editor.input_value() == "And a reply to myself."
    editor.fill("And an edited reply to myself.")
    page.locator(f"#{reply_id} .th-edit-form").get_by_role("button", name="Save").click()
    page.wait_for_selector(f"#{reply_id} > .th-main .th-body:has-text('edited reply')")
    assert page.locator(f"#{reply_id} > .th-main .th-edited").inner_text() == "edited"
    assert Comment.objects.get(pk=int(reply_id.split("-")[1])).text == "And an edited reply to myself."

    # Delete it: a two-step confirmation in the page, no dialog.
    page.locator(f"#{reply_id} .th-actions").get_by_role("button", name="Delete").click()
    page.locator(f"#{reply_id}").get_by_role("button", name="Yes, delete").click()
    page.wait_for_selector(f"#{reply_id}", state="detached")
    assert page.locator("#townhall h2").inner_text() == demo.count()

    # After a reload the token kept in localStorage still offers edit and delete.
    page.reload()
    page.wait_for_selector("#townhall[data-townhall-ready]")
    load_all_replies(page)
    assert page.locator(f"#{my_id} > .th-main .th-actions").get_by_role("button", name="Edit").count() == 1
    assert page.locator(f"#{my_id} > .th-main .th-left").count() == 1


def test_replies_past_the_display_depth_continue_flat_with_in_reply_to(page_factory: Any, demo: Demo) -> None:
    # Seed comment 6 is at depth 4, the deepest level the demo site (display depth 5) indents.
    page, _ = page_factory()
    open_demo(page, demo)
    six = demo.el(6)
    # Comment 6 opens the conversation under comment 5, shown collapsed: open it first.
    page.locator(f"{demo.el(5)} > .th-replies > .th-cv button").click()
    page.locator(f"{six} .th-actions").get_by_role("button", name="Reply").click()
    form = page.locator(f"{six} .th-form")
    assert form.get_attribute("aria-label") == "Reply to 5thDrawer"
    form.get_by_role("textbox", name="Comment", exact=True).fill("Spy VS Spy was MAD, not Cracked.")
    form.get_by_role("button", name="Post reply").click()
    flat = comment_with(page, "Spy VS Spy was MAD")
    flat.wait_for()
    # Not indented further: a sibling right after the comment it answers, saying whom it answers.
    assert parent_of(page, f"#{flat.get_attribute('id')}") == demo.el(5)[1:]
    assert page.eval_on_selector(six, "e => e.nextElementSibling.id") == flat.get_attribute("id")
    irt = flat.locator(".th-irt")
    assert irt.inner_text() == "in reply to 5thDrawer"
    irt.get_by_role("link").click()
    page.wait_for_selector(f"{six}.th-hl")

    # The demo's flame war under comment 5 is in slow mode: the same reader's next reply there is
    # refused, in words, with the time they may reply again.
    flat.locator(".th-actions").get_by_role("button", name="Reply").click()
    flat.locator(".th-form").get_by_role("textbox", name="Comment", exact=True).fill("And another thing.")
    flat.locator(".th-form").get_by_role("button", name="Post reply").click()
    expect(flat.locator(".th-form .th-form-err")).to_have_text(
        re.compile(r"^This conversation is in slow mode: one reply every \d+ minutes\. You can reply again at \d")
    )

    # Another reader's reply to the flat reply goes after it, in reading order, still flat.
    other, _ = page_factory()
    open_demo(other, demo)
    flat = comment_with(other, "Spy VS Spy was MAD")
    flat.locator(".th-actions").get_by_role("button", name="Reply").click()
    flat.locator(".th-form").get_by_role("textbox", name="Comment", exact=True).fill("Fair enough.")
    flat.locator(".th-form").get_by_role("button", name="Post reply").click()
    second = comment_with(other, "Fair enough.")
    second.wait_for()
    assert other.eval_on_selector(f"#{flat.get_attribute('id')}", "e => e.nextElementSibling.id") == second.get_attribute("id")
    assert second.locator(".th-irt").inner_text().startswith("in reply to")


def test_keyboard_only_reply(page: Any, demo: Demo) -> None:
    open_demo(page, demo)
    # From a comment's Reply button, with the keyboard alone: open the form, type, reach Post.
    reply = page.locator(f"{demo.el(2)} > .th-main .th-actions").get_by_role("button", name="Reply")
    reply.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
    page.keyboard.type("Typed without a mouse.")
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Post reply":
            break
    else:
        pytest.fail("Tab never reached the Post reply button")
    page.keyboard.press("Enter")
    posted = comment_with(page, "Typed without a mouse.")
    posted.wait_for()
    assert page.evaluate("document.activeElement.id") == posted.get_attribute("id")


def test_vote_and_report(page: Any, demo: Demo) -> None:
    open_demo(page, demo)
    target = demo.el(2)
    actions = page.locator(f"{target} > .th-main .th-actions")
    actions.get_by_role("button", name="Vote up").click()
    page.wait_for_function(f"() => document.querySelector('{target} .th-score')?.textContent === '1'")
    assert actions.get_by_role("button", name="Vote up").get_attribute("aria-pressed") == "true"
    assert Comment.objects.get(pk=demo.ids[2]).score == 1
    # Clicking again takes the vote back; voting down counts -1.
    actions.get_by_role("button", name="Vote up").click()
    page.wait_for_function(f"() => document.querySelector('{target} .th-score')?.textContent === '0'")
    actions.get_by_role("button", name="Vote down").click()
    page.wait_for_function(f"() => document.querySelector('{target} .th-score')?.textContent === '-1'")
    assert page.evaluate("localStorage.getItem('townhall:token')")

    actions.get_by_role("button", name="Report").click()
    panel = page.locator(f"{target} .th-report")
    panel.get_by_label("Reason").select_option("abuse")
    panel.get_by_label("Note (optional)").fill("Name-calling")
    panel.get_by_role("button", name="Send report").click()
    page.wait_for_selector(f"{target} .th-report .th-ok")
    assert Comment.objects.get(pk=demo.ids[2]).reports.get().reason == "abuse"

    # One's own comment cannot be voted on: the refusal shows at the comment.
    form = top_form(page)
    form.get_by_role("textbox", name="Comment", exact=True).fill("My own words.")
    form.get_by_role("button", name="Post comment").click()
    expect(form.locator(".th-ok")).to_have_text("Your comment was published.")
    mine = comment_with(page, "My own words.")
    mine.locator(".th-actions").get_by_role("button", name="Vote up").click()
    expect(mine.locator(".th-actions .th-err")).to_contain_text("own comment")
    assert mine.locator(".th-score").inner_text() == "0"


def test_field_errors_from_the_api_appear_at_their_fields(page: Any, demo: Demo) -> None:
    demo.policy(require_name=True, require_email=True)
    open_demo(page, demo)
    form = top_form(page)
    assert form.locator("label", has_text="Name").inner_text().endswith("*")
    form.get_by_role("textbox", name="Email", exact=True).fill("not-an-address")
    form.get_by_role("textbox", name="Website", exact=True).fill("http://")
    form.get_by_role("button", name="Post comment").click()
    form.locator("[aria-invalid=true]").first.wait_for()

    for label, expected in [("Comment", "required"), ("Name", "required"), ("Email", "valid email"), ("Website", "URL")]:
        field = form.get_by_role("textbox", name=label, exact=True)
        assert field.get_attribute("aria-invalid") == "true", label
        described = field.get_attribute("aria-describedby").split()
        messages = " ".join(page.locator(f"#{i}").inner_text() for i in described)
        assert expected in messages, (label, messages)
    # Focus went to the first field in error, and the form says why it failed.
    assert page.evaluate("document.activeElement.name") == "text"
    assert "correct the marked fields" in form.locator(".th-form-err").inner_text()
    assert Comment.objects.count() == len(demo.ids)

    # Fixing them clears the errors.
    form.get_by_role("textbox", name="Comment", exact=True).fill("Fine now.")
    form.get_by_role("textbox", name="Name", exact=True).fill("Named")
    form.get_by_role("textbox", name="Email", exact=True).fill("named@example.org")
    form.get_by_role("textbox", name="Website", exact=True).fill("")
    form.get_by_role("button", name="Post comment").click()
    comment_with(page, "Fine now.").wait_for()
    assert form.locator("[aria-invalid=true]").count() == 0


def test_a_hostility_warning_can_be_revised_or_posted_as_is(page: Any, demo: Demo) -> None:
    from townhall.moderation.services import policy_update

    # Every text scores at least 0: with the warn threshold at 0 every post gets the warning.
    policy_update(site=demo.site, toxicity_warn=0.0, toxicity_hold=1.0)
    open_demo(page, demo)
    form = top_form(page)
    text = form.get_by_role("textbox", name="Comment", exact=True)
    text.fill("You could have read the article first.")
    form.get_by_role("button", name="Post comment").click()
    as_is = form.get_by_role("button", name="Post it as is")
    as_is.wait_for()
    assert text.get_attribute("aria-invalid") == "true"
    warning = page.locator("#" + text.get_attribute("aria-describedby").split()[-1]).inner_text()
    assert warning.startswith("This may read as hostile") and "English-only" in warning
    assert form.locator(".th-form-err").inner_text() == ""
    as_is.click()
    comment_with(page, "You could have read the article first.").wait_for()
    assert not as_is.is_visible()
    assert Comment.objects.filter(text="You could have read the article first.").exists()


INJECTIONS = [
    "<script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned = 1; alert(1)">',
    '"><svg onload=alert(1)>',
    "[click](javascript:alert(1))",
]


def test_script_injection_shows_as_text_and_runs_nothing(page_factory: Any, demo: Demo) -> None:
    page, watch = page_factory()
    open_demo(page, demo)
    text = "\n\n".join(INJECTIONS)
    name = '<img src=x onerror="alert(1)">'
    website = 'https://example.com/"onmouseover="alert(1)'
    form = top_form(page)
    form.get_by_role("textbox", name="Comment", exact=True).fill(text)
    form.get_by_role("button", name="Preview").click()  # the preview is text too
    assert "<script>" in form.locator(".th-preview").inner_text()
    form.get_by_role("button", name="Write").click()
    form.get_by_role("textbox", name="Name", exact=True).fill(name)
    form.get_by_role("textbox", name="Website", exact=True).fill(website)
    form.get_by_role("button", name="Post comment").click()
    mine = comment_with(page, "window.__pwned")
    mine.wait_for()

    body = mine.locator(".th-body").inner_text()
    for payload in ["<script>window.__pwned = 1</script>", "onerror=", "<svg onload=alert(1)>"]:
        assert payload in body
    assert mine.locator(".th-name").inner_text() == name
    link = mine.locator("a.th-name")
    if link.count():  # the server may normalise the address; it stays an http(s) link
        assert link.get_attribute("href").startswith("https://")
        assert link.get_attribute("onmouseover") is None

    # Hover everything and reload: nothing runs from stored content either.
    mine.locator(".th-name").hover()
    page.reload()
    page.wait_for_selector("#townhall[data-townhall-ready]")
    comment_with(page, "window.__pwned").hover()
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#townhall script, #townhall img, #townhall svg:not(.th-av), #townhall [onerror]").count() == 0
    assert page.locator("#townhall a[href^='javascript:']").count() == 0
    assert watch.dialogs == []


def test_premoderated_site_holds_comments_and_shows_them_to_their_author_only(page_factory: Any, demo: Demo) -> None:
    demo.policy(premoderate=True)
    page, _ = page_factory()
    open_demo(page, demo)
    assert "reviewed by a moderator" in page.locator("#townhall .th-notices").inner_text()
    form = top_form(page)
    form.get_by_role("textbox", name="Comment", exact=True).fill("Held for review, please.")
    form.get_by_role("button", name="Post comment").click()
    held = page.locator("#townhall .th-c.th-pending", has_text="Held for review")
    held.wait_for()
    assert "Awaiting moderation" in held.inner_text()
    # Nothing to vote on, answer or report yet; the author may still edit it.
    assert held.locator(".th-vote").count() == 0
    assert held.locator(".th-actions").get_by_role("button", name="Reply").count() == 0
    assert held.locator(".th-actions").get_by_role("button", name="Edit").count() == 1
    page.wait_for_function("() => document.querySelector('#townhall [role=status]').textContent.includes('awaiting moderation')")
    assert page.locator("#townhall h2").inner_text() == demo.count()

    page.reload()
    page.wait_for_selector("#townhall[data-townhall-ready]")
    assert page.locator("#townhall .th-c.th-pending", has_text="Held for review").count() == 1
    # Another reader does not see it.
    other, _ = page_factory()
    open_demo(other, demo)
    assert comment_with(other, "Held for review").count() == 0

    # Once a moderator approves it, everyone sees it and the author's local copy is dropped.
    from townhall.comments.models import Status
    from townhall.comments.services import comment_set_status

    comment_set_status(comment=Comment.objects.get(text="Held for review, please."), status=Status.PUBLISHED)
    page.reload()
    page.wait_for_selector("#townhall[data-townhall-ready]")
    approved = comment_with(page, "Held for review")
    assert approved.count() == 1 and "th-pending" not in approved.get_attribute("class")
    assert page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('townhall:pending:')).map((k) => JSON.parse(localStorage[k]).length)") == [0]

    # A rejected one: its author is told once, then it is forgotten.
    form = top_form(page)
    form.get_by_role("textbox", name="Comment", exact=True).fill("This one will not pass.")
    form.get_by_role("button", name="Post comment").click()
    comment_with(page, "This one will not pass.").wait_for()
    comment_set_status(comment=Comment.objects.get(text="This one will not pass."), status=Status.REJECTED)
    page.reload()
    page.wait_for_selector("#townhall[data-townhall-ready]")
    refused = comment_with(page, "This one will not pass.")
    assert "Not accepted by the moderators" in refused.inner_text()
    assert refused.locator(".th-actions button").count() == 0
    page.reload()
    page.wait_for_selector("#townhall[data-townhall-ready]")
    assert comment_with(page, "This one will not pass.").count() == 0


def test_closed_thread_shows_a_notice_and_no_forms(page: Any, demo: Demo) -> None:
    thread_set_closed(thread=Thread.objects.get(site=demo.site, url=DEMO_URL), closed=True)
    open_demo(page, demo)
    assert "closed" in page.locator("#townhall .th-notices").inner_text()
    assert page.locator("#townhall form").count() == 0
    assert page.locator("#townhall .th-actions button", has_text="Reply").count() == 0


# ---------------------------------------------------------------------------- limits, errors, targets


def test_a_character_counter_appears_near_the_limit_from_config(page: Any, demo: Demo) -> None:
    limit = page.request.get(f"{demo.url}/api/v1/config?site=demo").json()["max_text_length"]
    open_demo(page, demo)
    form = top_form(page)
    text = form.get_by_role("textbox", name="Comment", exact=True)
    assert text.get_attribute("maxlength") == str(limit)
    shown, spoken = form.locator(".th-counter"), form.locator(".th-counter-sr")
    assert spoken.get_attribute("aria-live") == "polite"

    text.fill("a" * (int(limit * 0.8) - 1))  # under 80 %: no counter
    expect(shown).to_be_hidden()
    near = limit - 180
    text.fill("a" * near)
    expect(shown).to_have_text(f"{near:,} / {limit:,}")  # e.g. "4,820 / 5,000"
    expect(spoken).to_have_text(f"{near:,} of {limit:,} characters used.")
    assert "th-full" not in (shown.get_attribute("class") or "")
    text.fill("a" * 10)  # back under: gone, and silent
    expect(shown).to_be_hidden()
    expect(spoken).to_have_text("")

    # Exactly the advertised limit is accepted by the server (published or held, not refused).
    words = ("Long, considered words about the article. " * (limit // 40 + 1))[:limit]
    text.fill(words)
    expect(shown).to_have_text(f"{limit:,} / {limit:,}")
    assert "th-full" in shown.get_attribute("class")
    form.get_by_role("button", name="Post comment").click()
    expect(form.locator(".th-ok")).to_have_text(re.compile("published|awaiting moderation"))
    assert form.locator(".th-form-err").inner_text() == ""
    assert Comment.objects.filter(text=words.strip()).count() == 1


def console_errors(page: Any) -> list[str]:
    """What the page writes with console.error from now on."""
    logged: list[str] = []
    page.on("console", lambda m: logged.append(m.text) if m.type == "error" else None)
    return logged


MISCONFIGURED = """<!doctype html><html lang="en"><head><title>A page</title></head><body><h1>A page</h1>
<div id="townhall" {attrs}></div><script defer src="{server}/static/townhall/embed.js"></script></body></html>"""


def test_a_misconfigured_embed_shows_readers_a_neutral_message_and_developers_the_details(
    page_factory: Any, demo: Demo, host_page: Any
) -> None:
    origin = host_page["origin"]

    def serve(html: str) -> Any:
        return lambda route: route.fulfill(body=html, content_type="text/html")

    cases = [
        # An unknown site (this server's own page, so the 404 is readable).
        (demo.url, 'data-site="nosuch"', ["404", "nosuch", "data-site"]),
        # A page outside the site's origins: 422 on url.
        (demo.url, 'data-site="demo" data-url="https://elsewhere.example/story"', ["422", "https://elsewhere.example/story"]),
        # An unknown site on another origin: the server's answer cannot even be read (CORS).
        (origin, 'data-site="nosuch"', ["nosuch", origin]),
    ]
    for page_origin, attrs, details in cases:
        page, _ = page_factory(extra_hosts={urlsplit(origin).netloc})
        html = MISCONFIGURED.format(attrs=attrs, server=demo.url)
        if page_origin == origin:
            host_page["html"] = html
        else:
            page.route(f"{demo.url}/misconfigured", serve(html))
        logged = console_errors(page)
        page.goto(page_origin + "/misconfigured")
        page.wait_for_selector("#townhall[data-townhall-ready=unavailable]")
        widget = page.locator("#townhall")
        assert widget.inner_text().strip() == "Comments are unavailable on this page.", attrs
        assert widget.locator("select, form, button, h2").count() == 0
        ours = [line for line in logged if line.startswith("Townhall:")]
        assert len(ours) == 1, logged
        for detail in details:
            assert detail in ours[0], (detail, ours[0])


def test_slow_mode_reaches_readers_in_words(page_factory: Any, demo: Demo) -> None:
    from datetime import UTC, datetime, timedelta

    page, _ = page_factory(timezone_id="UTC")
    slow = {"code": "slow_mode", "message": "this conversation is in slow mode: one reply per 10 minutes", "errors": []}

    def refuse(route: Any) -> None:
        if route.request.method != "POST":
            route.fallback()
            return
        route.fulfill(status=429, headers={"Retry-After": "552", "Access-Control-Expose-Headers": "Retry-After"},
                      content_type="application/json", body=json.dumps(slow))

    page.route(f"{demo.url}/api/v1/comments", refuse)
    open_demo(page, demo)
    page.locator(f"{demo.el(2)} > .th-main .th-actions").get_by_role("button", name="Reply").click()
    form = page.locator(f"{demo.el(2)} .th-form")
    form.get_by_role("textbox", name="Comment", exact=True).fill("One more thing.")
    before = datetime.now(UTC)
    form.get_by_role("button", name="Post reply").click()
    error = form.locator(".th-form-err")
    expect(error).to_contain_text("This conversation is in slow mode: one reply every 10 minutes. You can reply again at")
    after = datetime.now(UTC)
    message = error.inner_text()
    assert "552" not in message and "seconds" not in message
    m = re.search(r"again at (\d{1,2}):(\d{2})\W*([AP]M)?\.$", message)
    assert m, message
    hour = int(m[1]) % 12 + (12 if m[3] == "PM" else 0) if m[3] else int(m[1])

    def up_to_minute(t: datetime) -> tuple[int, int]:
        t = t + timedelta(seconds=552)
        t = t + timedelta(minutes=1) if t.second or t.microsecond else t
        return t.hour, t.minute

    assert (hour, int(m[2])) in {up_to_minute(before), up_to_minute(after)}, message


def test_tap_targets_are_at_least_24_css_px_on_a_phone(page_factory: Any, demo: Demo) -> None:
    page, _ = page_factory(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, device_scale_factor=3)
    open_demo(page, demo)
    actions = page.locator(f"{demo.el(2)} > .th-main .th-actions")
    for name in ("Vote up", "Vote down", "Reply", "Share", "Report"):
        box = actions.get_by_role("button", name=name).bounding_box()
        assert box is not None and box["width"] >= 24 and box["height"] >= 24, (name, box)
    actions.get_by_role("button", name="Reply").click()
    actions.get_by_role("button", name="Report").click()
    # Every visible control of the widget, with the reply form and report panel open.
    small = page.evaluate(
        """() => [...document.querySelectorAll(
            '#townhall button, #townhall select, #townhall input[type=checkbox], #townhall .th-head a')]
          .map((e) => [e.textContent.trim() || e.getAttribute('aria-label') || e.tagName, e.getBoundingClientRect()])
          .filter(([, r]) => r.width && r.height && (r.width < 24 || r.height < 24))
          .map(([n, r]) => `${n}: ${r.width}x${r.height}`)"""
    )
    assert small == []
    assert page.evaluate("document.querySelectorAll('#townhall button').length") > 30


def test_clicks_reach_one_delegated_listener(page: Any, demo: Demo) -> None:
    open_demo(page, demo)
    cdp = page.context.new_cdp_session(page)

    def click_listeners(selector: str) -> int:
        handle = cdp.send("Runtime.evaluate", {"expression": f"document.querySelector({json.dumps(selector)})"})
        found = cdp.send("DOMDebugger.getEventListeners", {"objectId": handle["result"]["objectId"]})
        return len([x for x in found["listeners"] if x["type"] == "click"])

    assert click_listeners("#townhall .th-root") == 1
    for selector in [".th-vote", ".th-actions [data-action=reply]", ".th-toggle", ".th-actions [data-action=report]"]:
        assert click_listeners(f"#townhall {selector}") == 0, selector
    every = page.evaluate("[...document.querySelectorAll('#townhall button')].map((b) => b.type === 'submit' || !!b.dataset.action)")
    assert all(every)

    # A redrawn comment (after a vote) and a new one (just posted) answer clicks like the rest.
    target = demo.el(2)
    actions = page.locator(f"{target} > .th-main .th-actions")
    actions.get_by_role("button", name="Vote up").click()
    expect(page.locator(f"{target} > .th-main .th-score")).to_have_text("1")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Vote up"  # focus kept
    actions.get_by_role("button", name="Report").click()
    expect(page.locator(f"{target} .th-report")).to_be_visible()
    assert actions.get_by_role("button", name="Report").get_attribute("aria-expanded") == "true"
    actions.get_by_role("button", name="Report").click()
    expect(page.locator(f"{target} .th-report")).to_have_count(0)

    form = top_form(page)
    form.get_by_role("textbox", name="Comment", exact=True).fill("Fresh and clickable.")
    form.get_by_role("button", name="Post comment").click()
    fresh = comment_with(page, "Fresh and clickable.")
    fresh.wait_for()
    fresh.locator(".th-actions").get_by_role("button", name="Edit").click()
    fresh.locator(".th-edit-form textarea").fill("Fresh, clickable and edited.")
    fresh.locator(".th-edit-form").get_by_role("button", name="Cancel").click()
    expect(fresh.locator(".th-edit-form")).to_have_count(0)
    expect(fresh.locator(".th-body")).to_have_text("Fresh and clickable.")
    fresh.locator(".th-actions").get_by_role("button", name="Reply").click()
    expect(fresh.locator(".th-form")).to_be_visible()
    fresh.locator(".th-form").get_by_role("button", name="Cancel").click()
    expect(fresh.locator(".th-form")).to_have_count(0)
    assert page.evaluate("document.activeElement.textContent") == "Reply"


# ---------------------------------------------------------------------------- the page as a whole


def test_no_request_leaves_the_townhall_server(page_factory: Any, demo: Demo) -> None:
    make_comment(
        demo.site, url=DEMO_URL, author_name="Linker", author_website="https://elsewhere.example",
        text="![a picture](https://images.elsewhere.example/p.png) and https://elsewhere.example/page",
    )
    page, watch = page_factory()
    open_demo(page, demo)
    load_all_replies(page)
    comment_with(page, "a picture").locator(".th-actions").get_by_role("button", name="Share").click()
    assert watch.requests, "the route saw no requests"
    hosts = {urlsplit(u).netloc for u in watch.requests if not u.startswith("data:")}
    assert hosts == {urlsplit(demo.url).netloc}
    api = [u for u in watch.requests if "/api/v1/" in u]
    assert len([u for u in api if "/api/v1/counts" in u]) == 1
    assert watch.foreign == []


@pytest.fixture
def host_page() -> Iterator[Any]:
    """A news site on its own origin (another port): serves `html` at every path."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread as Worker

    served = {"html": ""}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = served["html"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Worker(target=server.serve_forever, daemon=True).start()
    served["origin"] = f"http://127.0.0.1:{server.server_address[1]}"
    yield served
    server.shutdown()
    server.server_close()


def test_embedded_on_another_origin_with_two_lines_of_html(page_factory: Any, demo: Demo, host_page: Any) -> None:
    """The host page lives on another origin that the site lists; the widget finds its server
    from its script's src, reads the canonical URL, and talks to the Townhall server across
    origins (CORS), posting included."""
    origin = host_page["origin"]
    demo_load(serving_origins=[origin])
    host_page["html"] = f"""<!doctype html><html lang="en"><head><title>Elsewhere</title>
    <link rel="canonical" href="{DEMO_URL}"></head><body><h1>The article, on the news site</h1>
    <p><a data-townhall-count href="{DEMO_URL}">comments</a></p>
    <div id="townhall" data-site="demo"></div>
    <script defer src="{demo.url}/static/townhall/embed.js"></script>
    <script defer src="{demo.url}/static/townhall/count.js"></script></body></html>"""
    page, watch = page_factory(extra_hosts={urlsplit(origin).netloc})
    page.goto(origin + "/2016/09/article?utm_source=x#top")
    page.wait_for_selector("#townhall[data-townhall-ready]")
    assert page.locator("#townhall h2").inner_text() == demo.count()
    page.wait_for_selector(f"a[data-townhall-counted='{demo.count().split()[0]}']")
    # One global, the documented one: Townhall.signIn / signOut (and strings a page may set there).
    assert page.evaluate("Object.keys(window).filter((k) => /townhall/i.test(k))") == ["Townhall"]
    assert page.evaluate("Object.keys(window.Townhall).sort()") == ["signIn", "signOut"]
    # The styles came from the Townhall server, and they stay inside .townhall.
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily") == page.evaluate(
        "(() => { const d = document.createElement('h1'); document.body.append(d); "
        "const f = getComputedStyle(d).fontFamily; d.remove(); return f })()"
    )
    assert page.evaluate("getComputedStyle(document.body).margin") == "8px"
    form = top_form(page)
    form.get_by_role("textbox", name="Comment", exact=True).fill("Posted from the news site itself.")
    form.get_by_role("button", name="Post comment").click()
    comment_with(page, "Posted from the news site itself.").wait_for()
    hosts = {urlsplit(u).netloc for u in watch.requests}
    assert hosts == {urlsplit(origin).netloc, urlsplit(demo.url).netloc}


def test_accessibility_audit_with_axe(page_factory: Any, demo: Demo) -> None:
    assert AXE.exists(), "axe-core missing: run scripts/install-browser.sh"
    source = AXE.read_text()
    for scheme in ("light", "dark"):
        page, _ = page_factory(bypass_csp=True, color_scheme=scheme)
        open_demo(page, demo)
        # Open the interactive parts too: an inline reply form, a report panel, a share panel.
        actions = page.locator(f"{demo.el(2)} > .th-main .th-actions")
        actions.get_by_role("button", name="Reply").click()
        actions.get_by_role("button", name="Report").click()
        actions.get_by_role("button", name="Share").click()
        page.add_script_tag(content=source)
        result = page.evaluate(
            """async () => {
                const r = await axe.run(document, {resultTypes: ['violations', 'passes']});
                const inWidget = (n) => n.target.some((t) => {
                    const el = typeof t === 'string' ? document.querySelector(t) : null;
                    return !!(el && el.closest('#townhall'));
                });
                return {
                    violations: r.violations.map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target)})),
                    widgetPasses: r.passes.flatMap((p) => p.nodes).filter(inWidget).length,
                    rules: r.passes.length,
                };
            }"""
        )
        bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert bad == [], f"{scheme}: {json.dumps(bad, indent=1)}"
        assert result["widgetPasses"] > 50, result  # the audit did look at the widget

    # The no-JavaScript page too.
    page, _ = page_factory(bypass_csp=True)
    page.goto(f"{demo.url}/embed/thread?site=demo&url={DEMO_URL}")
    page.add_script_tag(content=source)
    violations = page.evaluate("async () => (await axe.run(document)).violations.map((v) => [v.id, v.impact])")
    assert [v for v in violations if v[1] in ("serious", "critical")] == []


def test_screenshot_of_the_demo_page(page: Any, demo: Demo) -> None:
    open_demo(page, demo)
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "demo-page.png"), full_page=True)
    page.locator("#townhall").screenshot(path=str(OUTPUT / "demo-widget.png"))
    assert (OUTPUT / "demo-page.png").stat().st_size > 10_000


def test_noscript_link_is_in_the_page(page: Any, demo: Demo) -> None:
    # The server-rendered page carries the <noscript> fallback link inside the widget's div.
    html = page.request.get(demo.url + "/").text()
    assert re.search(r'<div id="townhall" data-site="demo"><noscript><a href="/embed/thread\?site=demo&amp;url=', html)
    # And the page works under the strict CSP (the fixture fails the test on any script error).
    open_demo(page, demo)
    assert page.locator("#townhall .th-c").count() == 11
