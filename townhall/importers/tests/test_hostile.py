"""Hostile and broken files: a clear error naming the place, and the database as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management.base import CommandError

from townhall.comments.models import Site
from townhall.importers.tests.helpers import FIXTURES, db_state, run

DISQUS_HEAD = '<?xml version="1.0"?>\n<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
THREAD = '<thread dsq:id="1"><id/><link>https://blog.example/a</link><title>A</title></thread>\n'


def post(pid: str, message: str = "hello there", created: str = "2016-09-20T09:00:00Z") -> str:
    return (f'<post dsq:id="{pid}"><message><![CDATA[{message}]]></message><createdAt>{created}</createdAt>'
            f'<isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>A</name></author>'
            f'<thread dsq:id="1"/></post>\n')


GOOD = DISQUS_HEAD + THREAD + post("1") + post("2")

HOSTILE = {
    "xxe": (
        '<?xml version="1.0"?>\n<!DOCTYPE disqus [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        + GOOD.split("\n", 1)[1].replace("hello there", "&xxe;"),
        r"line 2: the file declares a <!DOCTYPE>",
    ),
    "billion laughs": (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n'
        + GOOD.split("\n", 1)[1],
        r"line 2: the file declares a <!DOCTYPE>",
    ),
    "undeclared entity": (DISQUS_HEAD + THREAD + post("1", "]]>&lol;<![CDATA[") + "</disqus>\n",
                          r"line 4: the XML is broken or truncated: Entity 'lol' not defined"),
    "truncated": (GOOD[: len(GOOD) - 40], r"line \d+: the XML is broken or truncated"),
    "wrong format": ((FIXTURES / "wordpress.xml").read_text(), r"line \d+: this is not a Disqus export: the root element is <rss>"),
    "bad date": (DISQUS_HEAD + THREAD + post("1") + post("2", created="20th of September") + "</disqus>\n",
                 r"line 5 \(<post dsq:id=\"2\">\): '20th of September' is not a date"),
    "duplicate ids": (DISQUS_HEAD + THREAD + post("1") + post("2") + post("1") + "</disqus>\n",
                      r"line 6 \(<post dsq:id=\"1\">\): duplicate comment id '1' \(first at line 4"),
    "duplicate ids, then a bad date": (DISQUS_HEAD + THREAD + post("1") + post("1") + post("3", created="soon") + "</disqus>\n",
                                        r"line 5 \(<post dsq:id=\"1\">\): duplicate comment id '1' \(first at line 4"),
    "too long": (DISQUS_HEAD + THREAD + post("1") + post("2", "x" * 100_001) + "</disqus>\n",
                 r"line 5 \(<post dsq:id=\"2\">\): the comment is 100,001 characters long"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_disqus_files_are_refused_before_any_write(site: Site, tmp_path: Path, name: str) -> None:
    text, message = HOSTILE[name]
    # A good thread first: a failure late in the file must not leave the early threads written.
    path = tmp_path / "export.xml"
    path.write_text(text)
    with pytest.raises(CommandError, match=message) as raised:
        run("import", "disqus", str(path), "--site", "blog")
    assert "nothing was written" in str(raised.value)
    assert "Traceback" not in str(raised.value)
    assert db_state() == (0, 0, 0)


def test_a_50_mb_comment_is_refused_naming_its_line(site: Site, tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    with path.open("w") as fh:
        fh.write(DISQUS_HEAD + THREAD + post("1") + '<post dsq:id="2"><message><![CDATA[')
        chunk = "a" * (1 << 20)
        for _ in range(50):
            fh.write(chunk)
        fh.write("]]></message></post></disqus>\n")
    with pytest.raises(CommandError, match=r"line 5: .*too big.*over 10 MB"):
        run("import", "disqus", str(path), "--site", "blog")
    assert db_state() == (0, 0, 0)


def test_hostile_wordpress_files(site: Site, tmp_path: Path) -> None:
    good = (FIXTURES / "wordpress.xml").read_text()
    cases = {
        "xxe": good.replace('<?xml version="1.0" encoding="UTF-8" ?>\n',
                            '<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE rss [<!ENTITY e SYSTEM "http://evil.example/">]>\n'),
        "state": good.replace("<wp:comment_approved>spam</wp:comment_approved>", "<wp:comment_approved>maybe</wp:comment_approved>"),
        "date": good.replace("2016-09-20 14:00:00", "2016-13-45 99:00:00"),
        "duplicate": good.replace("<wp:comment_id>19</wp:comment_id>", "<wp:comment_id>18</wp:comment_id>"),
        "disqus file": GOOD + "</disqus>\n",
    }
    expected = {
        "xxe": "line 2: the file declares a <!DOCTYPE>",
        "state": "(wp:comment 17): comment_approved is 'maybe'",
        "date": "(wp:comment 16): '2016-13-45 99:00:00' is not a date",
        "duplicate": "duplicate comment id '18'",
        "disqus file": "line 2: this is not a WordPress export (WXR): the root element is <disqus>",
    }
    for name, text in cases.items():
        path = tmp_path / f"{name}.xml"
        path.write_text(text)
        with pytest.raises(CommandError) as raised:
            run("import", "wordpress", str(path), "--site", "blog")
        assert expected[name] in str(raised.value), (name, str(raised.value))
        assert db_state() == (0, 0, 0)
