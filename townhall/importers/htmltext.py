"""HTML from other systems to our Markdown source, so imported comments are stored and rendered
exactly like live ones (comments/rendering.py: Markdown, then the nh3 allow-list). Raw HTML is
never stored: tags we know become Markdown, everything else becomes its text, and scripts,
styles and frames disappear with their content. Literal text is escaped so that it stays text.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lhtml

_PARSER = lhtml.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, recover=True,
                           remove_blank_text=False)
DROP = {"script", "style", "head", "title", "iframe", "object", "embed", "noscript", "template", "svg",
        "math", "form", "select", "textarea", "button"}
BLOCK = {"p", "div", "section", "article", "header", "footer", "aside", "h1", "h2", "h3", "h4", "h5", "h6",
         "table", "tr", "figure", "figcaption", "dl", "dt", "dd", "center", "address", "hr"}
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_LINE_START = re.compile(r"(?m)^([ \t]*)([-+=>]|\d+)([.)]?)(?=\s|$)")
MARK = "\x02"  # precedes the block markers we generate, so line-start escaping leaves them alone
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_HTMLISH = re.compile(r"<[A-Za-z/!]|&[#A-Za-z0-9]+;")


def escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def _escape_line_starts(md: str) -> str:
    def fix(m: re.Match[str]) -> str:
        if m.group(2).isdigit():
            return m.group(1) + m.group(2) + ("\\" + m.group(3) if m.group(3) else "")
        return m.group(1) + "\\" + m.group(2) + m.group(3)

    return _LINE_START.sub(fix, md)


def plain_to_markdown(text: str) -> str:
    """Plain text whose line breaks matter (WordPress without tags, Remark42 fallbacks)."""
    return _escape_line_starts(escape(text.replace("\r\n", "\n"))).strip()


def _safe_href(href: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        return None
    if scheme not in ("http", "https", "mailto"):
        return None
    return href.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


class _Converter:
    def __init__(self) -> None:
        self.pre: list[str] = []  # code blocks, put back at the very end untouched

    def children(self, el: Any, *, in_pre: bool = False) -> str:
        out = [self.inline_text(el.text)]
        for child in el:
            out.append(self.node(child))
            out.append(self.inline_text(child.tail))
        return "".join(out)

    @staticmethod
    def inline_text(text: str | None) -> str:
        return escape(_SPACES.sub(" ", text)) if text else ""

    def node(self, el: Any) -> str:
        if not isinstance(el.tag, str):
            return ""
        tag = el.tag.lower()
        if tag in DROP:
            return ""
        if tag == "br":
            return "\n"
        if tag == "pre":
            body = el.text_content().strip("\n")
            fence = "```"
            while fence in body:
                fence += "`"
            self.pre.append(f"{fence}\n{body}\n{fence}")
            return f"\n\n\x00{len(self.pre) - 1}\x00\n\n"
        if tag == "code":
            body = _SPACES.sub(" ", el.text_content())
            if not body.strip():
                return ""
            tick = "``" if "`" in body else "`"
            return f"{tick}{' ' if tick == '``' else ''}{body}{' ' if tick == '``' else ''}{tick}"
        if tag in ("strong", "b"):
            return self._wrap(el, "**")
        if tag in ("em", "i", "cite"):
            return self._wrap(el, "*")
        if tag in ("del", "s", "strike"):
            return self._wrap(el, "~~")
        if tag == "a":
            inner = self.children(el).strip()
            href = _safe_href(el.get("href"))
            if not href:
                return inner
            return f"[{inner or escape(href)}]({href})"
        if tag == "img":
            src = _safe_href(el.get("src"))
            alt = escape(_SPACES.sub(" ", el.get("alt") or "").strip())
            return f"[{alt or escape(src)}]({src})" if src else alt
        if tag == "blockquote":
            inner = self.block(el)
            quoted = "\n".join((MARK + "> " + line) if line else MARK + ">" for line in inner.split("\n"))
            return f"\n\n{quoted}\n\n"
        if tag in ("ul", "ol"):
            items = []
            n = 0
            for li in el:
                if not isinstance(li.tag, str):
                    continue
                n += 1
                marker = f"{n}. " if tag == "ol" else "- "
                body = self.block(li)
                pad = MARK + " " * len(marker)
                items.append(MARK + marker + body.replace("\n", "\n" + pad))
            return "\n\n" + "\n".join(items) + "\n\n"
        if tag in BLOCK:
            return "\n\n" + self.block(el) + "\n\n"
        return self.children(el)

    def _wrap(self, el: Any, mark: str) -> str:
        inner = self.children(el)
        stripped = inner.strip()
        if not stripped:
            return inner
        lead = inner[: len(inner) - len(inner.lstrip())]
        trail = inner[len(inner.rstrip()):]
        return f"{lead}{mark}{stripped}{mark}{trail}"

    def block(self, el: Any) -> str:
        return tidy(self.children(el))


_TRAILING = re.compile(r"[ \t]+\n")
_LEADING = re.compile(r"\n[ \t]+")
_BLANKS = re.compile(r"\n{3,}")


def tidy(md: str) -> str:
    if "\n" not in md:
        return md.strip()
    md = _TRAILING.sub("\n", md)
    md = _LEADING.sub("\n", md)
    md = _BLANKS.sub("\n\n", md)
    return md.strip()


def html_to_markdown(source: str) -> str:
    """HTML (a fragment) to Markdown source for comments/rendering.py."""
    if not _HTMLISH.search(source):
        return plain_to_markdown(_SPACES.sub(" ", source) if "\n" not in source else source)
    try:
        root = lhtml.fragment_fromstring(source, create_parent="div", parser=_PARSER)
    except (etree.ParserError, ValueError):
        return plain_to_markdown(source)
    conv = _Converter()
    md = _escape_line_starts(conv.block(root))
    for i, block in enumerate(conv.pre):
        md = md.replace(f"\x00{i}\x00", block)
    return md.replace("\x00", "").replace(MARK, "")


def autop(text: str) -> str:
    """WordPress stores comments as text whose blank lines are paragraphs and single newlines
    breaks (wpautop adds the tags on display); make that HTML before converting."""
    if re.search(r"<(p|div|blockquote|ul|ol|pre|table)\b", text, re.IGNORECASE):
        return text
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    return "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs)
