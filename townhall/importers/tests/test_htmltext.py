"""The HTML converter's fast path gives exactly what the lxml path gives, or steps aside."""

from __future__ import annotations

import random

from townhall.importers import htmltext

TEXTS = ["word", "Two words", "café — “x”", "a > b", "1. not a list", "- dash", "# hash", "*stars*", "_u_", "[b]",
         "back\\slash", "`tick`", "a|b", "~x~", "&amp;", "&lt;tag&gt;", "&quot;q&quot;", "it&#39;s", "it&#x27;s",
         "&copy;", "&nbsp;", "&", "a & b", "<", "x < y", " ", "  ", "\n", "\t", "\r\n", "\u00a0", "\x01", "\x85",
         "\u2028", "https://x.example/a", "www.x.example", "mail@x.example", "> quoted", "=", "+ plus", "2) two"]
HREFS = ["https://x.example/1", "http://x.example/a?b=1&amp;c=2", "https://x.example/a b", "javascript:alert(1)",
         "mailto:a@x.example", "", " https://x.example/ ", "https://x.example/(x)", "ftp://x.example/",
         "https://x.example/&quot;", "/relative", "https://x.example/<"]
INLINE_TAGS = ["<br>", "<br/>", "<br />", "<BR>", "<b>", "</b>", "<i>x</i>", "<span>", "<!-- c -->", "<img src=x>",
               "</a>", "</p>", "<p>", "<code>x</code>"]


def _a(rng: random.Random) -> str:
    href = rng.choice(HREFS)
    quote = rng.choice(['"', "'"])
    attrs = [f"href={quote}{href}{quote}"]
    if rng.random() < 0.3:
        attrs.append(rng.choice(['rel="nofollow noopener"', "target='_blank'", 'title="a &amp; b"', 'href="x"',
                                 "data-x=1", 'REL="x"']))
        rng.shuffle(attrs)
    text = rng.choice(TEXTS + ["this", "the report", "x"]) if rng.random() < 0.95 else rng.choice(["", " ", "<b>x</b>"])
    return f"<a {' '.join(attrs)}>{text}</a>"


def _inline(rng: random.Random, odd: bool) -> str:
    out = []
    for _ in range(rng.randint(1, 6)):
        r = rng.random()
        if r < 0.55:
            out.append(rng.choice(TEXTS) if odd or rng.random() < 0.5 else rng.choice(["plain words", "more text."]))
        elif r < 0.8:
            out.append(_a(rng))
        elif r < 0.92:
            out.append(rng.choice(["<br>", "<br/>", "<br />"]))
        elif odd:
            out.append(rng.choice(INLINE_TAGS))
        out.append(rng.choice(["", " ", " ", "\n", "  "]))
    return "".join(out)


def _html(rng: random.Random) -> str:
    odd = rng.random() < 0.3
    if rng.random() < 0.3:
        return _inline(rng, odd)
    gap = ["", "", "\n", " ", "\n\n"] + (["x", "<br>", "&amp;"] if odd else [])
    body = "".join(f"<p>{_inline(rng, odd)}</p>{rng.choice(gap)}" for _ in range(rng.randint(1, 4)))
    return rng.choice(["", "", " ", "\n"] + (["lead", "<div>"] if odd else [])) + body


def test_fast_path_gives_what_lxml_gives() -> None:
    rng = random.Random(1602)
    fast = 0
    for _ in range(3000):
        source = _html(rng)
        if not htmltext._HTMLISH.search(source):
            continue
        quick = htmltext._fast(source)
        if quick is not None:
            fast += 1
            assert quick == htmltext._slow(source), source
    assert fast > 500  # the generator does reach the fast path often


def test_usual_exported_comments_take_the_fast_path() -> None:
    for source in [
        "<p>Plain words.</p><p>Comment 5, see <a href='https://x.example/5'>this</a>.</p>",
        '<p>First line<br>second line</p>\n<p>It&#39;s &quot;quoted&quot; &amp; fine &gt; ok</p>',
        '<a href="https://x.example/" rel="nofollow noopener" target="_blank">a link</a> and text',
    ]:
        assert htmltext._fast(source) is not None, source
        assert htmltext.html_to_markdown(source) == htmltext._slow(source)
    for source in ["<p><b>bold</b></p>", "<p>a &copy; b</p>", "<P>x</P>", "<p>x", "<blockquote>q</blockquote>"]:
        assert htmltext._fast(source) is None, source
