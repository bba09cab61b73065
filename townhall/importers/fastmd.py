"""A fast path for rendering imported comments: byte for byte what comments/rendering.py gives,
for the plain Markdown most comments are, at a small part of markdown-it's cost.

Most imported comments are paragraphs of text, line breaks and plain links (that is what
htmltext.py makes of Disqus and WordPress HTML). For text inside that narrow subset, the HTML
that markdown-it and then the nh3 clean would produce is built here directly, serialised as nh3
(html5ever) serialises: text escapes only &, < and >, links get nh3's rel attribute, line
breaks are <br>; nothing else can occur in it (no tags but p, br and a with an http(s) URL, no
attributes but href and rel). Anything outside it (emphasis, code, lists, quotes, entities, bare URLs that linkify would turn
into links, odd whitespace, ...) returns None and the caller uses `render_markdown`.

Equality with `render_markdown` is checked, not assumed: on first use a set of probe texts is
rendered both ways and the fast path turns itself off if any differ (say rendering.py changed),
and the tests compare the two on thousands of generated texts.
"""

from __future__ import annotations

import re

from townhall.comments import rendering

# ASCII punctuation: what a backslash escapes in CommonMark.
_PUNCT = r"!-/:-@\[-`{-~"
_ESC = rf"\\[{_PUNCT}]"
# Plain text: none of the characters that start inline syntax (emphasis, code, links, images,
# autolinks and HTML, entities, strikethrough, escapes), no control characters.
_TEXT = r"[^\\`*_\[\]<>&~|!\n\x00-\x1f\x7f]"
# A link with plain text and an ordinary absolute http(s) URL (lowercase host, no parentheses,
# spaces, percent signs, semicolons or quotes: nothing for the normaliser to change).
_URL = r"https?://[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?(?:[/?#][A-Za-z0-9\-._~/?#=&+,:@]*)?"
_AMP = r"&(?!#?[A-Za-z0-9]+;)"  # an ampersand that does not start an entity
_LINK = rf"\[(?P<label>(?:{_TEXT}|[!>]|{_AMP}|{_ESC})+)\]\((?P<url>{_URL})\)"
_LABEL_PARTS = re.compile(rf"{_ESC}|[^\\]+")
_INLINE = re.compile(
    rf"(?P<text>{_TEXT}+)|(?P<esc>{_ESC})|{_LINK}|(?P<gt>>)|(?P<bang>!(?!\[))|(?P<amp>{_AMP})"
)
# What linkify-it needs to find a link (linkify_it/main.py: a schema with "//", "mailto:" with
# an "@", an e-mail address, or a fuzzy host: localhost, www., an IP-like ".1." or a dot and a
# TLD: two letters, a listed name, "xn--"): texts with any of it are left to markdown-it.
_LINKISH = re.compile(r"//|@|localhost|www\.|\.[0-9]{1,3}\.|\.(?:xn--|[^\W\d_]{2})", re.IGNORECASE)
# Line starts that begin a block in CommonMark (lists, quotes, headings, code, fences, rules).
_BLOCK_START = re.compile(r"[-+*=#>_~`\s]|[0-9]{1,9}[.)]")
# Whitespace other than a space or a newline; control characters.
_ODD = re.compile(r"[^\S \n]|[\x00-\x09\x0b-\x1f\x7f]")


def _esc(text: str) -> str:
    """Text as html5ever serialises it (the subset has no no-break spaces)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inline(line: str) -> str | None:
    out: list[str] = []
    probe: list[str] = []
    pos, end = 0, len(line)
    while pos < end:
        m = _INLINE.match(line, pos)
        if m is None:
            return None
        kind = m.lastgroup
        if kind == "text":
            text = m.group("text")
            out.append(_esc(text))
            probe.append(text)
        elif kind == "esc":
            out.append(_esc(m.group()[1]))
            probe.append(" ")
        elif kind in ("gt", "bang", "amp"):
            out.append(_esc(m.group()))
            probe.append(m.group())
        else:  # link
            label = m.group("label")
            if label.strip() == "" or _LINKISH.search(label):
                return None
            inner = [_esc(part[1] if part[0] == "\\" else part) for part in _LABEL_PARTS.findall(label)]
            # The URL pattern admits no quote: only & needs escaping in the attribute.
            out.append(f'<a href="{m.group("url").replace("&", "&amp;")}" rel="nofollow ugc noopener">{"".join(inner)}</a>')
            probe.append(" ")
        pos = m.end()
    plain = " ".join(probe)
    if _LINKISH.search(plain):
        return None
    return "".join(out)


def _html(text: str) -> str | None:
    """`render_markdown(text)` for text inside the subset, or None."""
    if not text or text != text.strip() or _ODD.search(text):
        return None
    paragraphs: list[list[str]] = [[]]
    for line in text.split("\n"):
        if not line:
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        if line != line.strip(" ") or _BLOCK_START.match(line):
            return None
        html = _inline(line)
        if html is None:
            return None
        paragraphs[-1].append(html)
    return "\n".join("<p>" + "<br>\n".join(p) + "</p>" for p in paragraphs if p)


def fast_render(text: str) -> str | None:
    """`render_markdown(text)` when the text is in the subset, else None."""
    return _html(text) or None


PROBES = [
    "Just words.",
    "Two paragraphs.\n\nThe second one, with a [link](https://example.com/a/b?c=1&d=2#e).",
    "A line\nand a break\n\n\nafter blank lines",
    "Escapes: \\* \\_ \\` \\[x\\] \\< \\> \\# \\| \\~ \\\\ and \\!",
    "Quotes \"double\" and 'single' & ampersands > arrows",
    "Unicode: café, naïve, Zürich — “typographic” … 日本語",
    "\\- not a list\n1\\. not a list either\n\\> not a quote",
    "See [the report](http://news.example:8080/2016/report) (page 3)!",
    "[a link](https://x.example/1) at the start",
    "Parentheses (like these) and brackets as text",
    "Exclamation! Wow!",
]


def _self_check() -> bool:
    for text in PROBES:
        fast = fast_render(text)
        if fast is None or fast != rendering.render_markdown(text):
            return False
    return True


_enabled: bool | None = None


def render(text: str) -> str:
    """What `rendering.render_markdown` gives, faster for the common case."""
    global _enabled  # noqa: PLW0603
    if _enabled is None:
        _enabled = _self_check()
    if _enabled:
        fast = fast_render(text)
        if fast is not None:
            return fast
    return rendering.render_markdown(text)
