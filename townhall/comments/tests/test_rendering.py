from html.parser import HTMLParser

import pytest

from townhall.comments.rendering import plain_excerpt, render_markdown


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        '<a href="x" onclick="alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
    ],
)
def test_no_markup_from_the_commenter_survives(payload: str) -> None:
    tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            tags.append((tag, attrs))

    Collect().feed(render_markdown(payload))
    for tag, attrs in tags:
        assert tag in {"p", "a"}
        for name, value in attrs:
            assert name in {"href", "rel"}
            assert not (value or "").lower().startswith(("javascript:", "data:"))


def test_images_become_links_so_nothing_loads_from_another_host() -> None:
    html = render_markdown("![a map](https://evil.example/map.png)")
    assert "<img" not in html
    assert '<a href="https://evil.example/map.png" rel="nofollow ugc noopener">a map</a>' in html


def test_bare_urls_are_linked_with_ugc_rel() -> None:
    html = render_markdown("see https://news.example/a?b=1 now")
    assert '<a href="https://news.example/a?b=1" rel="nofollow ugc noopener">' in html


def test_markdown_basics_and_line_breaks() -> None:
    html = render_markdown("**bold** _it_\n> quoted\n\nline one\nline two")
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html
    assert "<blockquote>" in html
    assert "line one<br>" in html


def test_headings_are_plain_text_in_comments() -> None:
    assert "<h1" not in render_markdown("# Shouting")


def test_excerpt_strips_tags() -> None:
    assert plain_excerpt(render_markdown("**a** " + "b" * 300), 20).startswith("a bbb")
    assert len(plain_excerpt(render_markdown("x" * 300), 20)) == 20
