"""Thread health: the numbers behind the picture, and the picture itself."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from townhall.comments.models import Site, Status
from townhall.comments.tests.factories import make_comment
from townhall.moderation.models import FlameWar
from townhall.moderators import health
from townhall.moderators.health import Point, longest_exchange
from townhall.moderators.tests.conftest import People, held, signed_in
from townhall.moderators.tests.seed import seed_load, seed_site

T0 = datetime(2016, 9, 20, 12, 0, tzinfo=UTC)


def pts(authors: str, branch: int = 1) -> list[Point]:
    return [Point(i, T0 + timedelta(minutes=i), a, a, branch, "published", None) for i, a in enumerate(authors)]


@pytest.mark.parametrize(("authors", "expected"), [
    ("ABABAB", (["A", "B"], 6)),
    ("CABABABC", (["A", "B"], 6)),
    ("ABCABC", None),  # never two authors for three comments in a row
    ("AAAA", None),  # a monologue is not an exchange
    ("ABAACBBCBC", (["C", "B"], 6)),
])
def test_longest_exchange(authors: str, expected: tuple[list[str], int] | None) -> None:
    found = longest_exchange(pts(authors))
    assert (found.authors, found.count) == expected if found else expected is None


def test_exchanges_do_not_cross_branches() -> None:
    mixed = pts("ABAB", branch=1) + pts("ABAB", branch=2)
    mixed.sort(key=lambda p: p.created)
    found = longest_exchange(mixed)
    assert found is not None and found.count == 4


def test_stats_bin_comments_by_hour_and_outcome(site: Site) -> None:
    base = datetime(2024, 1, 1, 10, 5, tzinfo=UTC)
    make_comment(site, text="one", created=base, author_name="A")
    make_comment(site, text="two", created=base + timedelta(minutes=20), author_name="B")
    held(site, text="three", created=base + timedelta(hours=2, minutes=1), author_name="A")
    thread = make_comment(site, text="four", created=base + timedelta(hours=2, minutes=30), author_name="C").thread
    stats = health.thread_stats(thread)
    assert stats.step == timedelta(hours=1)
    assert [(b.published, b.held, b.rejected) for b in stats.bins] == [(2, 0, 0), (0, 0, 0), (1, 1, 0)]
    assert (stats.total, stats.participants, stats.held) == (4, 3, 1)
    assert stats.lanes[0].author == "A" and stats.lanes[0].count == 2


def test_long_threads_use_wider_steps(site: Site) -> None:
    base = datetime(2024, 1, 1, tzinfo=UTC)
    for day in range(30):
        make_comment(site, text=f"day {day}", created=base + timedelta(days=day))
    stats = health.thread_stats(make_comment(site, text="last", created=base + timedelta(days=30)).thread)
    assert stats.step >= timedelta(hours=8)
    assert len(stats.bins) <= health.MAX_BINS


def test_the_svg_escapes_names_and_has_no_inline_style(site: Site) -> None:
    thread = make_comment(site, author_name='<script>alert(1)</script>"', text="x").thread
    svg = str(health.render_svg(health.thread_stats(thread)))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "style=" not in svg and "<style" not in svg


def test_an_empty_thread_draws_a_message(site: Site) -> None:
    from townhall.comments.models import Thread

    thread = Thread.objects.create(site=site, url="https://blog.example/empty")
    assert "No comments yet." in str(health.render_svg(health.thread_stats(thread)))


def test_the_seed_thread_through_the_pipeline_shows_one_war(people: People) -> None:
    """The seed's flame war under comment 5: one item in the flame-war queue, one band on the
    health chart, with the two main combatants."""
    thread = seed_load(seed_site())
    assert FlameWar.objects.filter(thread=thread).count() == 1
    war = FlameWar.objects.get(thread=thread)
    assert {"Rudy1947", "Hind Abyad"} <= set(war.participants)
    client = signed_in(people.superuser)
    queue = client.get("/moderate/flamewars/").content.decode()
    assert queue.count('<li class="item war ') == 1
    page = client.get(f"/moderate/threads/{thread.pk}/health/").content.decode()
    assert len(re.findall(r'class="war-band" data-war="\d+"', page)) == 1
    stats = health.thread_stats(thread)
    assert stats.exchange is not None and set(stats.exchange.authors) == {"Rudy1947", "Hind Abyad"}
    assert stats.held == thread.comments.filter(status=Status.PENDING).count() > 0


def test_a_huge_thread_stays_a_small_picture(site: Site) -> None:
    from townhall.comments.tests.factories import bulk_thread

    thread = bulk_thread(site, top_level=20_000, replies_to_first=5_000)
    svg = str(health.render_svg(health.thread_stats(thread)))
    assert svg.count("<circle") <= health.LANES * (960 // health.DOT_PX + 1)
    assert len(svg) < 200_000


def _tick_labels(stats: health.ThreadStats, now: datetime) -> list[str]:
    return [tick["label"].text for tick in health.layout(stats, now=now)["ticks"]]


def test_dates_carry_the_year_unless_the_chart_is_all_this_year(site: Site) -> None:
    make_comment(site, text="old", created=datetime(2016, 9, 20, 10, tzinfo=UTC))
    thread = make_comment(site, text="later", created=datetime(2016, 9, 21, 10, tzinfo=UTC)).thread
    stats = health.thread_stats(thread)
    assert all("2016" in label for label in _tick_labels(stats, now=datetime(2026, 1, 5, tzinfo=UTC)))
    assert not any("2016" in label for label in _tick_labels(stats, now=datetime(2016, 12, 1, tzinfo=UTC)))
    svg = str(health.render_svg(stats, now=datetime(2026, 1, 5, tzinfo=UTC)))
    assert "Sep 20 2016" in svg


def test_a_chart_across_new_year_carries_the_year(site: Site) -> None:
    make_comment(site, text="december", created=datetime(2025, 12, 30, tzinfo=UTC))
    thread = make_comment(site, text="january", created=datetime(2026, 1, 2, tzinfo=UTC)).thread
    labels = _tick_labels(health.thread_stats(thread), now=datetime(2026, 1, 3, tzinfo=UTC))
    assert "2025" in labels[0] and "2026" in labels[-1]


def test_hostile_dots_follow_the_sites_warn_threshold(site: Site) -> None:
    from townhall.comments.models import Comment
    from townhall.moderation.selectors import policy_for, thresholds_for
    from townhall.moderation.services import policy_update

    comment = make_comment(site, text="borderline", author_name="A")
    default = thresholds_for(policy_for(site))
    between = round((default.warn + default.hold) / 2, 4)  # hostile by the model's own warn threshold
    Comment.objects.filter(pk=comment.pk).update(moderation={"scores": {"toxicity": between}})

    def dot_radius() -> int:
        lanes = health.layout(health.thread_stats(comment.thread))["lanes"]
        return int(lanes[0]["dots"][0]["r"])

    assert dot_radius() == 5  # above the model's default warn threshold
    policy_update(site=site, toxicity_warn=0.97, toxicity_hold=0.99)
    site.refresh_from_db()  # policy_for caches the policy on the Site instance
    comment.thread.site = site
    assert dot_radius() == 4
