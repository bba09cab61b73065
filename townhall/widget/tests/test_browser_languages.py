"""The widget in other languages, in Chromium on the seed page (/?lang=LANG gives the widget
data-lang=LANG inside the English article): its catalog, right-to-left layout for Arabic, and an
accessibility audit per language."""

from __future__ import annotations

import json
from typing import Any

import pytest

from townhall.comments.tests.factories import make_comment
from townhall.demo.services import DEMO_URL
from townhall.widget.tests.test_browser import AXE, Demo, demo, open_demo, page_factory  # noqa: F401

pytestmark = [pytest.mark.browser]

BOX = "e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right} }"


def right_to_left(page: Any) -> None:
    """The Arabic widget, in the English article."""
    root = page.locator("#townhall")
    assert root.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert page.evaluate("getComputedStyle(document.querySelector('.story')).direction") == "ltr"
    assert page.locator("#townhall .th-toolbar label").inner_text() == "الترتيب حسب"
    # A reply is indented from the right: its right edge left of its parent's, the thread line
    # on its right side; the avatar stands right of the text.
    reply = page.locator("#townhall .th-replies > .th-c").first
    parent = reply.locator("xpath=ancestor::article[1]")
    r, p = reply.evaluate(BOX), parent.evaluate(BOX)
    assert r["right"] < p["right"] - 10
    assert abs(r["left"] - p["left"]) < 2
    line = reply.locator("xpath=..").evaluate(
        "e => [getComputedStyle(e).borderRightWidth, getComputedStyle(e).borderLeftWidth]")
    assert line == ["2px", "0px"]
    avatar = page.locator("#townhall .th-c > .th-main > .th-av").first.evaluate(BOX)
    content = page.locator("#townhall .th-c > .th-main > .th-content").first.evaluate(BOX)
    assert avatar["left"] >= content["right"] - 1


def mixed_directions(page: Any) -> None:
    """In the English widget, a comment in Arabic script reads right to left, the rest not."""
    assert page.locator("#townhall").evaluate("e => getComputedStyle(e).direction") == "ltr"
    direction = "e => [e.dir, getComputedStyle(e).direction]"
    assert page.locator("#townhall .th-body", has_text=ARABIC).evaluate(direction) == ["auto", "rtl"]
    assert page.locator("#townhall .th-body", has_text="Plain English text.").evaluate(direction) == ["auto", "ltr"]


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical findings of axe-core on the widget (one pass)."""
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate(
        """async () => {
            const r = await axe.run('#townhall', {resultTypes: ['violations', 'passes']});
            return {
                violations: r.violations.map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target)})),
                passes: r.passes.flatMap((p) => p.nodes).length,
            };
        }"""
    )
    assert result["passes"] > 50, result  # the audit did look at the widget
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


ARABIC = "أتفق مع الكاتب في معظم ما قاله عن الموصل."


def test_the_widget_in_each_language(page_factory: Any, demo: Demo) -> None:  # noqa: F811
    assert AXE.exists(), "axe-core missing: run scripts/install-browser.sh"
    make_comment(demo.site, url=DEMO_URL, author_name="Hind", text=ARABIC)
    make_comment(demo.site, url=DEMO_URL, author_name="Ann", text="Plain English text.")
    headings = {"en": "comments", "fr": "commentaires", "de": "Kommentare", "es": "comentarios"}
    for lang in ("en", "fr", "de", "es", "ar"):
        page, _ = page_factory(bypass_csp=True)
        open_demo(page, demo, f"?lang={lang}")
        assert page.locator("#townhall").get_attribute("lang") == lang
        heading = page.locator("#townhall .th-count").inner_text()
        if lang == "ar":
            assert "تعليق" in heading
        else:
            assert heading == demo.count().replace("comments", headings[lang])
        if lang == "en":
            mixed_directions(page)
        if lang == "ar":
            right_to_left(page)
        # With an open reply form too: its labels and hints come from the catalog.
        page.locator(f"{demo.el(2)} > .th-main .th-actions button[data-action=reply]").click()
        bad = axe_violations(page)
        assert bad == [], f"{lang}: {json.dumps(bad, ensure_ascii=False, indent=1)}"
        # The on-demand modules read the same catalog (embed.js hands them its S).
        if lang in MODULE_TEXTS:
            follow_label, data_title = MODULE_TEXTS[lang]
            page.locator("#townhall button[data-action=follow]").click()
            assert page.locator("#townhall .th-followform label").inner_text() == follow_label
            page.locator("#townhall button[data-action=account]").click()
            assert page.locator("#townhall .th-account").get_attribute("aria-label") == data_title


MODULE_TEXTS = {"fr": ("Votre adresse e-mail (jamais affichée)", "Vos données sur ce site"),
                "ar": ("عنوان بريدك الإلكتروني (لا يُعرض أبدًا)", "بياناتك على هذا الموقع"),
                "en": ("Your email address (never shown)", "Your data on this site")}
