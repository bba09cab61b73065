"""extras.js on the seed page in Chromium: quote marks, the conversation under comment 5, editors'
picks first, and an axe audit with all three on screen. Fixtures from test_browser.py."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from townhall.articles.models import Article
from townhall.comments.models import Comment, SortOrder
from townhall.comments.tests.factories import make_comment
from townhall.demo.services import DEMO_URL
from townhall.moderation.services import comment_feature
from townhall.widget.tests import test_browser as shared
from townhall.widget.tests.test_browser import AXE, Demo, open_demo, top_form

pytestmark = [pytest.mark.browser]

# The live server with the demo loaded, and pages that fail a test on any script error or request
# to another host: test_browser.py's fixtures, used here as they are.
demo = shared.demo
page_factory = shared.page_factory
page = shared.page
host_page = shared.host_page

QUOTE = "Daesh is weaker in Mosul, but it is using methods of oppression"


def test_quote_marks_not_in_the_article_and_found_with_a_link_to_the_passage(page: Any, demo: Demo) -> None:
    open_demo(page, demo)
    rudy = page.locator(f"{demo.el(5)} > .th-main")
    mark = rudy.locator(".th-q li")
    mark.wait_for()
    assert mark.count() == 1
    assert "His speech gave a general overview" in mark.inner_text()
    assert mark.locator(".th-q-verdict").inner_text() == "not in this article"

    # A reader replies quoting the article; once the thread is read again, the quote is marked found.
    form = top_form(page)
    form.get_by_role("textbox", name="Comment", exact=True).fill(f"The article itself says “{QUOTE}”, nothing about the general.")
    form.get_by_role("textbox", name="Name", exact=True).fill("Careful Reader")
    form.get_by_role("button", name="Post comment").click()
    page.wait_for_selector("#townhall .th-ok:has-text('published')")
    page.reload()
    page.wait_for_selector("#townhall[data-townhall-ready]")
    found = page.locator("#townhall .th-q-found")
    found.wait_for()
    assert found.locator(".th-q-verdict").inner_text() == "found in the article"
    assert found.locator(".th-q-text").inner_text() == QUOTE

    found.get_by_role("button", name="Show it in the article").click()
    shown = page.wait_for_function(
        """() => { const h = CSS.highlights.get('townhall-quote');
                   if (!h) return null;
                   const r = [...h][0], box = r.getBoundingClientRect();
                   return {text: r.toString(), top: box.top, inArticle: !!r.startContainer.parentElement.closest('article')}; }"""
    ).json_value()
    assert shown["text"] == QUOTE and shown["inArticle"]
    assert 0 <= shown["top"] < 900  # scrolled to it


def test_the_first_load_of_a_page_gives_its_article_and_a_later_page_cannot_change_it(
    page_factory: Any, demo: Demo, host_page: Any
) -> None:
    origin = host_page["origin"]
    url = "https://news.example/2016/10/berms-around-mosul"
    demo.site.origins.create(origin=origin)
    quoting = make_comment(demo.site, url=url, author_name="Early Reader",
                           text="“the militants have built new berms around the neighborhoods of the city”")

    def serve(paragraph: str) -> None:
        host_page["html"] = f"""<!doctype html><html lang="en"><head><title>Berms</title>
        <link rel="canonical" href="{url}"></head><body><main><article><h1>Berms around Mosul</h1>
        <p>{paragraph}</p><p>Residents said the barricades went up overnight.</p>
        <div id="townhall" data-site="demo"></div></article></main>
        <script defer src="{demo.url}/static/townhall/embed.js"></script></body></html>"""

    serve("The militants have built new berms around the neighborhoods of the city, he said.")
    page, _ = page_factory(extra_hosts={urlsplit(origin).netloc})
    page.goto(origin + "/berms")
    page.wait_for_selector("#townhall[data-townhall-ready]")
    article = None
    for _ in range(50):
        article = Article.objects.filter(thread__url=url).first()
        if article:
            break
        page.wait_for_timeout(100)
    assert article is not None and article.source == "page"
    assert article.text.startswith("Berms around Mosul\n\nThe militants have built new berms")
    assert "Early Reader" not in article.text  # the comments inside <article> are not the article
    # The quote check ran against it: the next load shows the mark.
    page.reload()
    page.locator(f"#comment-{quoting.pk} .th-q-found").wait_for()

    # Another load with another text in its <article> changes nothing (the widget does not even
    # send it: the thread says its article is known; the API's 409 is tested in articles/tests).
    serve("Something else entirely, written later by somebody with curl or a proxy.")
    page.reload()
    page.wait_for_selector("#townhall[data-townhall-ready]")
    page.wait_for_timeout(300)
    assert Article.objects.get(thread__url=url).hash == article.hash


def test_conversation_picks_first_and_an_axe_audit_with_all_of_it(page_factory: Any, demo: Demo) -> None:
    conv = Comment.objects.get(pk=demo.ids[5]).conversations_anchored.get()
    made = [make_comment(demo.site, url=DEMO_URL, text=f"Top-level comment {i}.", author_name=f"Reader {i}")
            for i in range(2)]
    comment_feature(comment=made[1], featured=True)
    demo.policy(default_sort=SortOrder.PICKS, page_size=3)
    page, _ = page_factory(bypass_csp=True)
    open_demo(page, demo)

    # Picks first: the site's default order, the pick pinned above the thread and in its own tab.
    assert page.locator("#townhall .th-toolbar select").input_value() == "picks"
    assert page.locator("#townhall .th-list > .th-c").first.get_attribute("id") == f"comment-{made[1].pk}"
    pinned = page.locator("#townhall .th-picks")
    pinned.wait_for()
    assert pinned.locator(".th-pick").count() == 1 and "Top-level comment 1." in pinned.inner_text()
    page.get_by_role("tab", name="Picks (1)").click()
    assert page.get_by_role("tab", name="Picks (1)").get_attribute("aria-selected") == "true"
    assert not page.locator("#townhall .th-list").is_visible() and pinned.is_visible()
    page.get_by_role("tab", name="All comments").click()
    assert page.locator("#townhall .th-list").is_visible()

    # The conversation under comment 5: one line, with a heat mark.
    line = page.locator(f"{demo.el(5)} > .th-replies > .th-cv")
    line.wait_for()
    assert line.count() == 1
    text = line.get_by_role("button").inner_text()
    assert re.fullmatch(rf"Rudy1947, 5thDrawer and Hind Abyad, {conv.count} replies over 2 days", text.strip()), text
    assert line.locator(".th-heat[role=img]").get_attribute("aria-label") in ("Calm", "Heated", "Very heated")
    # Collapsed, its replies take no room: the rest of the thread reads past it.
    first_member = page.locator(demo.el(6))
    assert not first_member.is_visible()
    assert page.locator(demo.el(2)).is_visible()

    line.get_by_role("button").click()
    assert line.get_by_role("button").get_attribute("aria-expanded") == "true"
    # Opening loads the whole exchange, shown as a dialogue: a column for each of the two main authors.
    page.wait_for_function(
        f"() => document.querySelectorAll('#townhall .th-cv-m.th-cv-on:not([hidden])').length === {conv.count}")
    rudy = page.locator(demo.el(7))  # Rudy1947: "It was MAD mag in the states."
    drawer = page.locator(demo.el(6))  # 5thDrawer
    assert "It was MAD mag" in rudy.inner_text()
    assert "th-cv-a" in (rudy.get_attribute("class") or "") and "th-cv-b" in (drawer.get_attribute("class") or "")
    r_box, d_box = rudy.bounding_box(), drawer.bounding_box()
    assert r_box and d_box and d_box["x"] > r_box["x"] + 40
    assert r_box["x"] + r_box["width"] < d_box["x"] + d_box["width"] - 40

    shared.OUTPUT.mkdir(exist_ok=True)
    line.scroll_into_view_if_needed()
    page.screenshot(path=str(shared.OUTPUT / "conversation-open.png"))

    # axe, with the marks, the open dialogue and the picks on screen.
    page.add_script_tag(content=AXE.read_text())
    audit = "async () => (await axe.run(document)).violations.map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target)}))"
    bad = [v for v in page.evaluate(audit) if v["impact"] in ("serious", "critical")]
    assert bad == [], json.dumps(bad, indent=1)
    # It closes again.
    line.get_by_role("button").click()
    assert not first_member.is_visible()

    # The no-JavaScript page: the conversation as a closed <details>, the marks as lists, axe clean.
    page.goto(f"{demo.url}/embed/thread?site=demo&url={DEMO_URL}&sort=oldest")
    details = page.locator("details.th-cvd")
    assert details.count() >= 1 and details.first.get_attribute("open") is None
    assert "replies over" in details.first.locator("summary").inner_text()
    assert page.locator(".th-q-missing").count() >= 1
    page.add_script_tag(content=AXE.read_text())
    bad = [v for v in page.evaluate(audit) if v["impact"] in ("serious", "critical")]
    assert bad == [], json.dumps(bad, indent=1)
