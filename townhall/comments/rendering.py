"""Markdown to safe HTML, once, when a comment is written.

markdown-it-py parses (CommonMark, raw HTML off, bare URLs linkified); nh3 (the Rust ammonia
sanitiser) then allows only a short list of tags, so nothing a commenter types can run script or
load anything. Images become plain links: a comment never makes a reader's browser fetch a
picture from another host.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict


def _image_as_link(
    self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    src = escapeHtml(str(token.attrGet("src") or ""))
    alt = escapeHtml(self.renderInlineAsText(token.children or [], options, env)) or src
    return f'<a href="{src}">{alt}</a>'


_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False, "breaks": True})
    .enable(["linkify", "strikethrough"])
    .disable(["heading", "lheading", "hr"])
)
_md.add_render_rule("image", _image_as_link)

ALLOWED_TAGS = {
    "a", "p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}}


def render_markdown(text: str) -> str:
    html = _md.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
    ).strip()


def plain_excerpt(html: str, length: int = 140) -> str:
    text = nh3.clean(html, tags=set()).strip()
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


