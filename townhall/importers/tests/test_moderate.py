from __future__ import annotations

from pathlib import Path

from townhall.comments.models import Comment, Status, Thread
from townhall.comments.services import site_create
from townhall.importers.tests.helpers import FIXTURES, imported, run


def test_moderate_runs_the_pipeline_in_time_order_and_holds_what_it_would_hold(db: None) -> None:
    # A pre-moderated site: the pipeline holds every comment, so every approved one is held.
    site_create(slug="blog", name="A blog", origins=["https://blog.example"], premoderate=True)
    report = run("import", "disqus", str(FIXTURES / "disqus.xml"), "--site", "blog", "--moderate")
    assert "held by the moderation pipeline: 4" in report
    thread = Thread.objects.get()
    assert thread.comment_count == 0
    first = imported("disqus", "5001")
    assert first.status == Status.PENDING and "premoderated_site" in first.reasons
    assert first.moderation["imported"] == "disqus" and "scores" in first.moderation
    # Source states other than approved are kept; parents are still right.
    assert imported("disqus", "5005").status == Status.REJECTED
    assert imported("disqus", "5003").parent_id == first.pk
    assert Comment.objects.filter(thread=thread).count() == 7


def test_moderate_on_an_open_site_publishes_ordinary_comments(db: None) -> None:
    site_create(slug="blog", name="A blog", origins=["https://blog.example"])
    run("import", "wordpress", str(FIXTURES / "wordpress.xml"), "--site", "blog", "--moderate")
    thread = Thread.objects.get()
    published = Comment.objects.filter(thread=thread, status=Status.PUBLISHED).count()
    assert published >= 1 and thread.comment_count == published
    trashed = imported("wordpress", "18")
    assert trashed.status == Status.DELETED
    assert trashed.reply_count == int(imported("wordpress", "19").status == Status.PUBLISHED)


def _post(pid: int, thread: int, when: str, text: str, author: str, parent: int | None = None) -> str:
    reply = f'<parent dsq:id="{parent}"/>' if parent else ""
    return (f'<post dsq:id="{pid}"><message><![CDATA[<p>{text}</p>]]></message><createdAt>{when}</createdAt>'
            f"<isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>{author}</name>"
            f"<isAnonymous>false</isAnonymous><username>{author}</username></author>"
            f'<thread dsq:id="{thread}"/>{reply}</post>\n')


def test_moderate_replays_the_whole_file_in_one_time_order_across_threads(db: None, tmp_path: Path) -> None:
    site_create(slug="blog", name="A blog", origins=["https://blog.example"])
    words = "the council should publish the full budget report before the vote next week"
    # Thread 2 comes first in the file, but its copy of the text was posted after thread 1's
    # original: in time order the copy is the repeat. A reply in thread 1 carries a clock
    # earlier than its parent's and must still land under it.
    path = tmp_path / "two.xml"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
        'xmlns:dsq="http://disqus.com/disqus-internals">\n'
        '<thread dsq:id="2"><id/><link>https://blog.example/b</link><title>B</title></thread>\n'
        '<thread dsq:id="1"><id/><link>https://blog.example/a</link><title>A</title></thread>\n'
        + _post(21, 2, "2016-09-20T10:05:00Z", words, "copier")
        + _post(22, 2, "2016-09-20T10:07:00Z", "A different remark about the parking plans downtown", "dana")
        + _post(11, 1, "2016-09-20T10:00:00Z", words, "author")
        + _post(13, 1, "2016-09-20T10:03:00Z", "Replying with a clock running a little behind here", "eve", parent=12)
        + _post(12, 1, "2016-09-20T10:04:00Z", "I agree that the figures should be made public", "bob", parent=11)
        + "</disqus>\n"
    )
    run("import", "disqus", str(path), "--site", "blog", "--moderate")
    original, copy = imported("disqus", "11"), imported("disqus", "21")
    assert original.status == Status.PUBLISHED
    assert copy.status == Status.PENDING and "repeat" in copy.reasons
    assert copy.moderation["evidence"]["repeat_of"] == original.pk
    # Written oldest first across both threads (ids follow time), the late-clock reply after its parent.
    order = [imported("disqus", s).pk for s in ("11", "12", "13", "21", "22")]
    assert order == sorted(order)
    assert imported("disqus", "13").parent_id == imported("disqus", "12").pk
    for thread in Thread.objects.all():
        assert thread.comment_count == Comment.objects.filter(thread=thread, status=Status.PUBLISHED).count()
