from __future__ import annotations

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
