"""A few hundred XSS vectors (xss_vectors.py, assembled from public filter-evasion references)
posted as comment text, author name, website and thread title, and rendered in Chromium on every
surface: the widget on a host page, the no-JS thread page, the moderation queue, the moderators'
thread health page and Django's admin (comment list and change pages, thread list). The pages'
CSP is bypassed, so what is tested is the escaping and sanitising itself, not the CSP behind it.

Two detectors, each proven by a planted positive control on every surface: `__xss(n)` records a
vector that ran; a DOM scan of the rendered comments flags anything that could run later (an
on* attribute, a javascript:/vbscript:/data: URL, a script, frame, object, style, base or meta
element). The controls are inserted raw into a comment after rendering and must be caught."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from townhall.articles.models import ArticleSource
from townhall.articles.services import article_submit
from townhall.comments.cache import page_cache
from townhall.comments.models import MAX_TITLE, Comment, Site, Status, Thread
from townhall.comments.services import comment_set_status, site_create
from townhall.posting.services import ImportRow, comment_import
from townhall.widget.tests.xss_vectors import vectors

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PER_PAGE = 100
# Pages that show one comment or one thread title cost a page load each (about 0.4 s on a busy
# 2-core machine): those check a sample spread over the vectors; the lists check every vector.
ADMIN_CHANGE_PAGES = 5
TITLE_PAGES = 4
QUOTED_AUTHORS = 20  # each quoted name is a comment of its own
CONVERSATIONS = 3  # each is a root and 8 alternating replies to it, named by its two authors

HOOK = "window.__xssFired = []; window.__xss = (n) => window.__xssFired.push(n);"
SCAN = """(root) => {
  const bad = [];
  const urlAttrs = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'background', 'dynsrc',
                    'lowsrc', 'poster', 'srcdoc'];
  const badTags = new Set(['SCRIPT', 'IFRAME', 'FRAME', 'FRAMESET', 'OBJECT', 'EMBED', 'APPLET', 'BASE',
                           'META', 'LINK', 'STYLE', 'svg:script']);
  for (const scope of document.querySelectorAll(root)) {
    for (const el of scope.querySelectorAll('*')) {
      if (badTags.has(el.tagName) || el.tagName.toLowerCase() === 'script') bad.push(el.outerHTML.slice(0, 120));
      for (const a of el.attributes) {
        const name = a.name.toLowerCase();
        const value = a.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
        if (name.startsWith('on') || name === 'style' && /expression|javascript|url\\(/.test(value) ||
            urlAttrs.includes(name) && /^(javascript|vbscript|data):/.test(value)) {
          bad.push(el.outerHTML.slice(0, 120));
        }
      }
    }
  }
  return bad;
}"""
CONTROL_RUNS = '<img src="data:," onerror="__xss(-1)">'
CONTROL_LATENT = '<a href="javascript:__xss(-2)">planted</a>'


def post_vectors(site: Site, host: str) -> list[str]:
    """Every vector as text, name and website, in threads of PER_PAGE; returns the threads' URLs."""
    rows: list[tuple[str, ImportRow]] = []
    for n, text, website in vectors():
        url = f"{host}/xss-host/{n // PER_PAGE}"
        rows.append((url, ImportRow(ref=n, text=text, created=timezone.now(), author_name=text[:100],
                                    author_website=website)))
    urls = sorted({u for u, _ in rows})
    for url in urls:
        batch = [r for u, r in rows if u == url]
        done = comment_import(site=site, url=url, rows=batch, moderate=False)
        # A website the rules refuse (javascript:, data:) is left off; the text and name still go in.
        retry = [ImportRow(ref=i.row.ref, text=i.row.text, created=i.row.created, author_name=i.row.author_name)
                 for i in done if i.comment is None]
        assert all(i.comment is not None for i in comment_import(site=site, url=url, rows=retry, moderate=False))
    return urls


@pytest.fixture
def xss_site(transactional_db: None, live_server: Any) -> Site:
    page_cache.clear()
    # The embedding pages are served (by the test's route) on the live server's own origin: a
    # page elsewhere may not load scripts from a loopback address (Private Network Access).
    return site_create(slug="xss", name="XSS", origins=[live_server.url], page_size=PER_PAGE)


@pytest.fixture
def context_for(browser: Any, live_server: Any) -> Iterator[Any]:
    contexts: list[Any] = []
    served = urlsplit(live_server.url).netloc

    def make(html_for: dict[str, str] | None = None) -> Any:
        context = browser.new_context(bypass_csp=True, viewport={"width": 1200, "height": 900})
        contexts.append(context)
        context.add_init_script(HOOK)
        context.set_default_timeout(15_000)

        def route(r: Any) -> None:
            url = r.request.url
            if html_for and url in html_for:
                r.fulfill(status=200, content_type="text/html", body=html_for[url])
            elif url.startswith("data:") or urlsplit(url).netloc == served:
                r.continue_()
            else:
                r.abort()  # nothing leaves the machine; a vector's request to elsewhere just fails

        context.route("**/*", route)
        page = context.new_page()
        page.on("dialog", lambda d: d.dismiss())
        return page

    yield make
    for context in contexts:
        context.close()


def staff_page(context_for: Any, live_server: Any) -> Any:
    """A browser page signed in as a superuser (moderator of every site, admin)."""
    admin = User.objects.create_superuser("root", "root@example.com", "pw-for-tests-only")
    client = Client()
    client.force_login(admin)
    page = context_for()
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return page


def titles() -> list[str]:
    """Every vector in a thread title. A thread has one title, so vectors are packed, space
    separated, up to the title limit: a page load per thread then checks several at once."""
    out: list[str] = []
    for _, text, _ in vectors():
        if out and len(out[-1]) + 1 + len(text) <= MAX_TITLE:
            out[-1] += " " + text
        else:
            out.append(text)
    return out


def check_surface(page: Any, comments: str, expected: int) -> None:
    """The rendered comments ran nothing and hold nothing that could run; then the planted
    controls prove both detectors work on this very page."""
    assert page.locator(comments).count() == expected
    page.wait_for_timeout(100)  # let error and load events of anything that slipped through fire
    assert page.evaluate("window.__xssFired") == []
    assert page.evaluate(SCAN, comments) == []
    page.evaluate("([sel, a, b]) => document.querySelector(sel).insertAdjacentHTML('beforeend', a + b)",
                  [comments, CONTROL_RUNS, CONTROL_LATENT])
    page.wait_for_function("window.__xssFired.includes(-1)")
    flagged = page.evaluate(SCAN, comments)
    assert any("__xss(-1)" in f for f in flagged) and any("__xss(-2)" in f for f in flagged)


def test_no_vector_runs_on_any_surface(xss_site: Site, context_for: Any, live_server: Any) -> None:
    urls = post_vectors(xss_site, live_server.url)
    counts = {url: Comment.objects.filter(thread__url=url).count() for url in urls}
    assert sum(counts.values()) == len(vectors()) >= 300

    # The widget on a host page, one page load per thread.
    pages = {url: (f'<!doctype html><html><head><meta charset="utf-8"><title>Host</title></head><body>'
                   f'<div id="townhall" data-site="xss" data-url="{url}"></div>'
                   f'<script defer src="{live_server.url}/static/townhall/embed.js"></script></body></html>')
             for url in urls}
    page = context_for(pages)
    for url in urls:
        page.goto(url)
        page.wait_for_selector("#townhall[data-townhall-ready=true]")
        check_surface(page, "#townhall .th-c", counts[url])

    # The no-JS thread pages.
    page = context_for()
    for url in urls:
        page.goto(f"{live_server.url}/embed/thread?" + urlencode({"site": "xss", "url": url}))
        check_surface(page, "article.th-c", counts[url])

    # The moderation queue, with every vector held.
    for comment in Comment.objects.all():
        comment_set_status(comment=comment, status=Status.PENDING)
    page = staff_page(context_for, live_server)
    remaining, number = Comment.objects.count(), 1
    while remaining > 0:
        page.goto(f"{live_server.url}/moderate/queue/pending/?page={number}")
        shown = min(remaining, 50)
        check_surface(page, "[data-item]", shown)
        remaining, number = remaining - shown, number + 1

    # The thread health page: the most active names in the chart's lanes and tooltips.
    for thread in Thread.objects.filter(site=xss_site):
        page.goto(f"{live_server.url}/moderate/threads/{thread.pk}/health/")
        check_surface(page, ".page-head, #health", 2)

    # Django's admin: the comment list (names, threads), and change pages for a sample (text,
    # name, website), read-only as every field there is.
    ids = list(Comment.objects.order_by("pk").values_list("pk", flat=True))
    for number in range(1, len(ids) // 100 + 2):
        page.goto(f"{live_server.url}/admin/comments/comment/?o=1&p={number}")
        check_surface(page, "#result_list tbody tr", len(ids[(number - 1) * 100:number * 100]))
    for pk in ids[::len(ids) // ADMIN_CHANGE_PAGES + 1]:
        page.goto(f"{live_server.url}/admin/comments/comment/{pk}/change/")
        check_surface(page, "#content-main fieldset", 1)


def test_no_title_runs_on_any_surface(xss_site: Site, context_for: Any, live_server: Any) -> None:
    """Thread titles (set by a thread's first post) on every page that shows one."""
    packed = titles()
    for k, title in enumerate(packed):
        row = ImportRow(ref=k, text="t", created=timezone.now())
        done = comment_import(site=xss_site, url=f"{live_server.url}/xss-title/{k}", rows=[row], title=title,
                              moderate=False)
        assert done[0].comment is not None
    threads = list(Thread.objects.filter(site=xss_site).order_by("pk"))
    assert len(threads) == len(packed) and all(t.title for t in threads)

    # Pages showing one title: the ones breaking out of <title> and a spread of the rest.
    sample = [t for t in threads if "</title" in t.title.lower()]
    sample += [t for t in threads[::len(threads) // TITLE_PAGES + 1] if t not in sample]
    page = context_for()
    for thread in sample:
        page.goto(f"{live_server.url}/embed/thread?" + urlencode({"site": "xss", "url": thread.url}))
        check_surface(page, "body", 1)

    page = staff_page(context_for, live_server)
    for thread in sample:
        page.goto(f"{live_server.url}/moderate/threads/{thread.pk}/health/")
        check_surface(page, ".page-head, #health", 2)
    page.goto(f"{live_server.url}/admin/comments/thread/")
    check_surface(page, "#result_list tbody tr", len(threads))

    # The queue names each held comment's thread by its title.
    for comment in Comment.objects.all():
        comment_set_status(comment=comment, status=Status.PENDING)
    page.goto(f"{live_server.url}/moderate/queue/pending/?site=xss")
    check_surface(page, "[data-item]", len(threads))


def test_no_vector_runs_in_quote_marks_or_conversations(xss_site: Site, context_for: Any, live_server: Any) -> None:
    """Quote marks (the quoted words; the quoted comment's author) and conversation lines (their
    authors' names) on the widget and the no-JS page. Every vector is quoted; the names are a
    sample, as each quoted author or conversation needs comments of its own."""
    url = f"{live_server.url}/xss-quotes"
    article_submit(site=xss_site, url=url, text="An article that none of these comments quotes at all.",
                   source=ArticleSource.MODERATOR)
    all_vectors, now = vectors(), timezone.now()
    named = all_vectors[::len(all_vectors) // (QUOTED_AUTHORS + 2 * CONVERSATIONS) + 1]
    quoted, talkers = named[:QUOTED_AUTHORS], named[QUOTED_AUTHORS:]
    rows = [ImportRow(ref=f"a{n}", text=f"the words that comment number {n} wrote here today", created=now,
                      author_name=text[:100], author_id=f"a{n}") for n, text, _ in quoted]
    # Not in the article: each vector gets a "not in this article" mark with its own words.
    blocks = [f"> {text} and enough words to count as a quote" for _, text, _ in all_vectors]
    blocks += [f"> the words that comment number {n} wrote here today" for n, _, _ in quoted]
    rows += [ImportRow(ref=f"b{k}", text="\n\n".join(blocks[k:k + 50]), created=now, author_name="quoter",
                       author_id="quoter") for k in range(0, len(blocks), 50)]
    for b in range(CONVERSATIONS):
        pair = talkers[2 * b:2 * b + 2]
        rows.append(ImportRow(ref=f"r{b}", text="a branch", created=now, author_name="root", author_id="root"))
        for i in range(8):
            n, text, _ = pair[i % 2]
            rows.append(ImportRow(ref=f"r{b}.{i}", text=f"reply {i}", created=now, parent_ref=f"r{b}",
                                  author_name=text[:100], author_id=f"t{n}"))
    assert all(i.comment is not None for i in comment_import(site=xss_site, url=url, rows=rows, moderate=False))
    marks = [m for c in Comment.objects.filter(thread__url=url) for m in c.quotes or []]
    assert sum(m["kind"] == "comment" for m in marks) == len(quoted)
    assert sum(m["kind"] == "missing" for m in marks) >= 0.9 * len(all_vectors)
    assert Thread.objects.get(url=url).conversations.count() == CONVERSATIONS

    host = (f'<!doctype html><html><head><meta charset="utf-8"><title>Host</title></head><body>'
            f'<div id="townhall" data-site="xss" data-url="{url}"></div>'
            f'<script defer src="{live_server.url}/static/townhall/embed.js"></script></body></html>')
    page = context_for({url: host})
    page.goto(url)
    page.wait_for_selector("#townhall .th-q")
    page.wait_for_selector("#townhall .th-cv")
    check_surface(page, "#townhall .th-list", 1)

    page = context_for()
    page.goto(f"{live_server.url}/embed/thread?" + urlencode({"site": "xss", "url": url}))
    check_surface(page, ".th-list", 1)
    assert page.locator(".th-cv").count() == CONVERSATIONS
