"""The import's fast rendering path gives exactly what comments/rendering.py gives."""

from __future__ import annotations

import random

from townhall.comments.rendering import render_markdown
from townhall.importers import fastmd
from townhall.importers.htmltext import html_to_markdown

WORDS = ["the", "Council", "vote", "café", "naïve", "日本語", "2016", "10am", "it's", '"quoted"', "(aside)", "—",
         "a:b", "x=y", "50%", "$5", "#tag", "e.g.", "Mr.Smith", "1.2.3", "a.co", "www", "x.example", "user@host",
         "localhost", "//", "http:", "https://x.example", ";", "{", "}", "^", "?", "!", "!!", "&", "&amp;", "&#33;",
         "&copy", "> ", " >", "<", "*", "_", "~", "~~", "`", "|", "[", "]", "\\", "\\*", "\\_", "\\[", "\\]", "\\\\",
         "\\-", "\\.", "\\!", "\\a", "\u00a0", "\t", "\r", "\u2028", "\x00"]
GOOD_LINKS = ["[this](https://x.example/1)", "[the report](http://news.example:8080/a/b?c=1&d=2#e)",
              "[a\\*b](https://x.example/)", "[a & b](https://x.example/)", "[wow!](https://x.example/a_b~c)"]
LINKS = GOOD_LINKS + ["[x](https://X.example/)", "[x](https://x.example/(a))",
         "[x](https://x.example/a b)", "[x](https://x.example/%20)", "[x](javascript:alert(1))", "[](https://x.example/)",
         "[ ](https://x.example/)", "![img](https://x.example/i.png)", "[x.com](https://x.example/)",
         "[a & b](https://x.example/)", "[a &amp; b](https://x.example/)", "[x](https://x.example/;a)",
         "[x](https://x.example/\"a)", "[x](<https://x.example/>)", "[x](https://x.example/ \"title\")"]
STARTS = ["", "", "", "", "- ", "* ", "+ ", "1. ", "2) ", "# ", "> ", "    ", " ", "=", "---", "```", "~~~", "\\- ",
          "1\\. ", "| ", "[ref]: https://x.example/ ", "<div>"]


def _text(rng: random.Random) -> str:
    odd = rng.random() < 0.5  # half the texts stay close to the subset, half wander off it
    paragraphs = []
    for _ in range(rng.randint(1, 4)):
        lines = []
        for _ in range(rng.randint(1, 3)):
            parts = [rng.choice(STARTS) if odd and rng.random() < 0.15 else ""]
            for _ in range(rng.randint(1, 12)):
                r = rng.random()
                parts.append(rng.choice(WORDS) if r < (0.15 if odd else 0.02) else rng.choice(LINKS if odd else GOOD_LINKS) if r < 0.25 else
                             rng.choice(["word", "Words", "more", "text,", "end.", "here"]))
                parts.append(" " if rng.random() < 0.95 else rng.choice(["", "  ", "\n"]))
            lines.append("".join(parts).rstrip(" ") if not odd or rng.random() < 0.9 else "".join(parts))
        paragraphs.append("\n".join(lines))
    text = rng.choice(["\n\n", "\n\n", "\n\n\n", "\n \n"] if odd else ["\n\n", "\n\n\n"]).join(paragraphs)
    return text if odd else text.strip()


def test_fast_path_is_byte_identical_to_render_markdown() -> None:
    assert fastmd._self_check()
    rng = random.Random(20160101)
    fast = 0
    for _ in range(3000):
        text = _text(rng)
        html = fastmd.fast_render(text)
        if html is not None:
            fast += 1
            assert html == render_markdown(text), text
    assert fast > 600  # the generator does reach the fast path often


def test_usual_imported_html_takes_the_fast_path() -> None:
    for source in [
        "<p>Plain words.</p><p>Comment 5, see <a href='https://x.example/5'>this</a>.</p>",
        "First line<br>second line",
        "<p>Quotes \"like this\" &amp; 'that' &gt; arrows (and asides)!</p>",
        "<p>Escaped *stars* and_underscores and [brackets]</p>",
    ]:
        text = html_to_markdown(source)
        assert fastmd.fast_render(text) == render_markdown(text), text
    for text in ["**bold**", "- a list", "> quote", "see example.com", "`code`", "&copy;", "a\tb", "line  \nbreak"]:
        assert fastmd.fast_render(text) is None, text
        assert fastmd.render(text) == render_markdown(text)
