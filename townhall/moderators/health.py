"""Thread health: a thread's comments over time, drawn server-side as one SVG picture.

Top panel: comments per time step, stacked by what became of them (published, awaiting
moderation, rejected), with the mean hostility (the pipeline's toxicity score) as a line, so a
rising curve over a growing pile of held comments reads as "a fight is starting". Bottom
panel: the most active participants, one lane each, a dot per comment (red when hostile); the
longest back-and-forth between the same two authors is bracketed. Flame wars are shaded bands
across both panels.

Only presentation attributes are used (no style attributes or elements): the moderation pages
are served under a CSP without 'unsafe-inline'.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models.fields.json import KT
from django.template.loader import render_to_string
from django.utils import dateformat, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from townhall.comments.models import Comment, Status, Thread
from townhall.moderation.models import FlameWar
from townhall.moderation.selectors import policy_for, thresholds_for

MAX_COMMENTS = 50_000  # the newest ones; a picture of 50,000 comments has no room for more
MAX_BINS = 96
LANES = 6

# Palette: colour-blind safe (Okabe-Ito), with text labels for every colour.
C_PUBLISHED = "#56B4E9"
C_HELD = "#E69F00"
C_REJECTED = "#D55E00"
C_HOSTILITY = "#7a0177"
C_WAR = "#D55E00"
C_TEXT = "#222222"
C_MUTED = "#666666"
C_GRID = "#dddddd"
PALETTE = {name: value for name, value in globals().items() if name.startswith("C_")}


@dataclass
class Point:
    id: int
    created: datetime
    author: str
    author_key: str
    branch: int
    status: str
    toxicity: float | None


@dataclass
class Bin:
    start: datetime
    published: int = 0
    held: int = 0
    rejected: int = 0
    toxicity: list[float] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.published + self.held + self.rejected

    @property
    def hostility(self) -> float | None:
        return sum(self.toxicity) / len(self.toxicity) if self.toxicity else None


@dataclass
class Exchange:
    authors: list[str]
    count: int
    start: datetime
    end: datetime


@dataclass
class WarMark:
    id: int
    start: datetime
    end: datetime
    detected: datetime
    participants: list[str]
    comment_count: int
    hostile_count: int
    status: str


@dataclass
class Lane:
    author: str
    count: int
    points: list[Point]


@dataclass
class ThreadStats:
    thread: Thread
    points: list[Point]
    bins: list[Bin]
    step: timedelta
    start: datetime | None
    end: datetime | None
    participants: int
    held: int
    rejected: int
    lanes: list[Lane]
    exchange: Exchange | None
    wars: list[WarMark]
    hostile: float = 0.5  # the site's toxicity_warn: a dot at or above it is drawn hostile

    @property
    def total(self) -> int:
        return len(self.points)

    @property
    def peak_hostility(self) -> float | None:
        values = [b.hostility for b in self.bins if b.hostility is not None]
        return max(values) if values else None

    @property
    def step_label(self) -> str:
        hours = int(self.step.total_seconds() // 3600)
        return _("hour") if hours == 1 else _("%(n)s hours") % {"n": hours}


def _status_word(status: str) -> str:
    """A comment's state in the moderator's words, for tooltips and the legend."""
    words = {Status.PUBLISHED: _("published"), Status.PENDING: _("awaiting moderation"),
             Status.REJECTED: _("rejected"), Status.DELETED: _("deleted")}
    return words.get(Status(status), status) if status in Status.values else status


def _float(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _points(thread: Thread) -> list[Point]:
    rows = (
        Comment.objects.filter(thread=thread)
        .exclude(status=Status.DELETED, reply_count=0)
        .annotate(tox=KT("moderation__scores__toxicity"))
        .order_by("-created", "-id")
        .values_list("id", "created", "author_name", "author_key", "root_id", "status", "tox")[:MAX_COMMENTS]
    )
    points = [
        Point(pk, created, name or "anonymous", key, root or pk, status, _float(tox))
        for pk, created, name, key, root, status, tox in rows
    ]
    points.reverse()
    return points


def longest_exchange(points: list[Point]) -> Exchange | None:
    """The longest run of consecutive comments in one branch written by the same two authors
    (both taking part). Sliding window, linear in the branch's length."""
    branches: dict[int, list[Point]] = {}
    for p in points:
        branches.setdefault(p.branch, []).append(p)
    best: tuple[int, list[Point]] | None = None
    for seq in branches.values():
        lo = 0
        last_seen: dict[str, int] = {}
        for hi, p in enumerate(seq):
            last_seen[p.author_key] = hi
            if len(last_seen) > 2:
                # Drop the author seen least recently; the run restarts after their last comment.
                drop = min(last_seen, key=lambda k: last_seen[k])
                lo = last_seen.pop(drop) + 1
            run = seq[lo: hi + 1]
            if len(last_seen) == 2 and (best is None or len(run) > best[0]):
                best = (len(run), run)
    if best is None or best[0] < 3:
        return None
    run = best[1]
    names: list[str] = []
    for p in run:
        if p.author not in names:
            names.append(p.author)
    return Exchange(names, len(run), run[0].created, run[-1].created)


def _step(span: timedelta) -> timedelta:
    hours = max(1, math.ceil(span.total_seconds() / 3600 / MAX_BINS))
    for nice in (1, 2, 3, 6, 12, 24, 48, 168):
        if hours <= nice:
            return timedelta(hours=nice)
    return timedelta(hours=math.ceil(hours / 168) * 168)


def thread_stats(thread: Thread) -> ThreadStats:
    points = _points(thread)
    wars = [
        WarMark(
            id=w.pk,
            start=w.first_comment.created if w.first_comment else w.detected,
            end=max(w.last_comment.created if w.last_comment else w.updated, w.detected),
            detected=w.detected,
            participants=list(w.participants),
            comment_count=w.comment_count,
            hostile_count=w.hostile_count,
            status=w.status,
        )
        for w in FlameWar.objects.filter(thread=thread).select_related("first_comment", "last_comment").order_by("id")
    ]
    hostile = thresholds_for(policy_for(thread.site)).warn
    if not points:
        return ThreadStats(thread, [], [], timedelta(hours=1), None, None, 0, 0, 0, [], None, wars, hostile)
    start = points[0].created.replace(minute=0, second=0, microsecond=0)
    end = points[-1].created
    step = _step(end - start)
    if step >= timedelta(hours=24):
        start = start.replace(hour=0)
    count = max(1, math.ceil((end - start) / step + 1e-9))
    bins = [Bin(start + i * step) for i in range(count)]
    authors: dict[str, list[Point]] = {}
    for p in points:
        b = bins[min(count - 1, int((p.created - start) / step))]
        if p.status == Status.PENDING:
            b.held += 1
        elif p.status == Status.REJECTED:
            b.rejected += 1
        else:
            b.published += 1
        if p.toxicity is not None:
            b.toxicity.append(p.toxicity)
        authors.setdefault(p.author_key, []).append(p)
    top = sorted(authors.values(), key=lambda ps: -len(ps))[:LANES]
    return ThreadStats(
        thread=thread,
        points=points,
        bins=bins,
        step=step,
        start=start,
        end=start + count * step,
        participants=len(authors),
        held=sum(b.held for b in bins),
        rejected=sum(b.rejected for b in bins),
        lanes=[Lane(ps[0].author, len(ps), ps) for ps in top],
        exchange=longest_exchange(points),
        wars=wars,
        hostile=hostile,
    )


# ---------------------------------------------------------------------------- drawing
# `layout` turns the numbers into positions and words; moderators/_health.svg draws them, with
# the template's autoescaping for every name and title. Coordinates are formatted here, once.

W = 960
LEFT, RIGHT = 130, 50
TOP = 54
BARS_H = 200
GAP = 46
LANE_H = 26
DOT_PX = 3


def _n(v: float) -> str:
    return f"{v:.1f}"


@dataclass
class Text:
    x: str
    y: str
    text: str
    size: int = 12
    anchor: str = "start"
    fill: str = C_TEXT
    weight: str = "normal"


def _text(x: float, y: float, text: str, *, size: int = 12, anchor: str = "start", fill: str = C_TEXT,
          weight: str = "normal") -> Text:
    return Text(_n(x), _n(y), text, size, anchor, fill, weight)


def _with_year(stats: ThreadStats, now: datetime | None = None) -> bool:
    """Dates carry their year unless the whole chart lies in the current year: a ten-year-old
    thread with one new comment must not read as "Sep 20 … Nov 03"."""
    if stats.start is None or stats.end is None:
        return False
    year = (now or timezone.now()).year
    last = stats.end - timedelta(microseconds=1)  # the end is the first instant after the last bin
    return not (stats.start.year == last.year == year)


def _when(t: datetime, with_year: bool) -> str:
    # Django's month names, in the active language (strftime's are the C locale's).
    return dateformat.format(t, "M d Y H:i" if with_year else "M d H:i")


def _time_label(t: datetime, step: timedelta, with_year: bool = False) -> str:
    if step >= timedelta(hours=24):
        return dateformat.format(t, "M d Y" if with_year else "M d")
    return _when(t, with_year)


def layout(stats: ThreadStats, *, now: datetime | None = None) -> dict[str, Any]:
    """Everything the template draws, in painting order."""
    lanes_h = max(1, len(stats.lanes)) * LANE_H
    lanes_top = TOP + BARS_H + GAP
    height = lanes_top + lanes_h + 70
    plot_w = W - LEFT - RIGHT
    chart: dict[str, Any] = {
        "w": W, "height": height,
        "title": _("Health of thread “%(title)s”") % {"title": stats.thread.title or stats.thread.url},
        "desc": _describe(stats, now=now),
    }
    if not stats.points or stats.start is None or stats.end is None:
        chart["empty"] = _text(W / 2, height / 2, _("No comments yet."), size=16, anchor="middle", fill=C_MUTED)
        return chart

    t0, t1 = stats.start, stats.end
    span = (t1 - t0).total_seconds() or 1.0
    years = _with_year(stats, now)

    def x(t: datetime) -> float:
        return LEFT + plot_w * max(0.0, min(1.0, (t - t0).total_seconds() / span))

    # Header: the numbers behind the picture.
    held_pct = round(100 * stats.held / stats.total)
    rej_pct = round(100 * stats.rejected / stats.total)
    peak = stats.peak_hostility
    chart["header"] = [
        _text(LEFT, 20, " · ".join([
            ngettext("%(n)s comment", "%(n)s comments", stats.total) % {"n": stats.total},
            ngettext("%(n)s participant", "%(n)s participants", stats.participants) % {"n": stats.participants},
            _("%(pct)s%% awaiting moderation") % {"pct": held_pct}, _("%(pct)s%% rejected") % {"pct": rej_pct},
        ]), size=14, weight="bold"),
        _text(LEFT, 38, _("comments per %(step)s") % {"step": stats.step_label}
              + (" · " + _("peak mean hostility %(pct)s%%") % {"pct": round(100 * peak)} if peak is not None else ""),
              fill=C_MUTED),
    ]

    # Flame wars: shaded bands across both panels, labelled above the bars, and a line at the
    # moment the pipeline saw each: when a moderator could have stepped in.
    bottom = lanes_top + lanes_h
    chart["wars"] = []
    for i, war in enumerate(stats.wars):
        x0 = x(war.start)
        x1 = max(x(war.end), x0 + 4)
        xd = x(war.detected)
        label = ((_("flame war (resolved): %(who)s") if war.status == "resolved" else _("flame war: %(who)s"))
                 % {"who": _(" vs ").join(war.participants[:3])} + " · "
                 + _("%(replies)s replies, %(hostile)s hostile") % {"replies": war.comment_count,
                                                                    "hostile": war.hostile_count})
        chart["wars"].append({
            "id": war.id, "x": _n(x0), "y": TOP - 8, "width": _n(x1 - x0), "height": bottom - TOP + 8,
            "label": _text(min(x0 + 4, W - RIGHT - 10), TOP + 6 + 14 * i, label, size=11, fill=C_WAR, weight="bold"),
            "xd": _n(xd), "yd": TOP + 10 + 14 * i, "bottom": bottom,
            "detected": _text(xd + 4, bottom - 4, _("detected %(when)s") % {"when": _when(war.detected, years)}, size=10, fill=C_WAR),
        })

    # Bars, their grid and both vertical axes.
    peak_count = max(b.total for b in stats.bins) or 1
    scale_max = _nice_max(peak_count)
    base_y = TOP + BARS_H
    chart["grid"] = []
    for k in range(5):
        y = base_y - BARS_H * k / 4
        chart["grid"].append({
            "y": _n(y),
            "count": _text(LEFT - 6, y + 4, f"{scale_max * k / 4:g}", size=11, anchor="end", fill=C_MUTED),
            "pct": _text(W - RIGHT + 6, y + 4, f"{25 * k}%", size=11, fill=C_HOSTILITY),
        })
    chart["axis"] = {"left": LEFT, "right": W - RIGHT, "cy": _n(TOP + BARS_H / 2), "count_x": LEFT - 40,
                     "pct_x": W - 8, "base_y": base_y,
                     "count_label": _("comments"), "pct_label": _("hostility")}
    bw = plot_w / len(stats.bins)
    chart["bars"] = []
    for b in stats.bins:
        y = base_y
        for value, colour, what in ((b.published, C_PUBLISHED, _status_word(Status.PUBLISHED)),
                                    (b.held, C_HELD, _status_word(Status.PENDING)),
                                    (b.rejected, C_REJECTED, _status_word(Status.REJECTED))):
            if not value:
                continue
            h = BARS_H * value / scale_max
            y -= h
            chart["bars"].append({
                "x": _n(x(b.start) + 1), "y": _n(y), "width": _n(max(1.0, bw - 2)), "height": _n(h), "fill": colour,
                "title": f"{_time_label(b.start, stats.step, years)}: {value} {what}",
            })

    # Hostility line: mean toxicity per step, 0..100% on the right axis.
    line = [(x(b.start) + bw / 2, base_y - BARS_H * mean) for b in stats.bins if (mean := b.hostility) is not None]
    chart["line"] = " ".join(f"{_n(px)},{_n(py)}" for px, py in line)
    chart["line_dots"] = [(_n(px), _n(py)) for px, py in line]

    # Time axis.
    every = max(1, len(stats.bins) // 8)
    chart["ticks"] = []
    for i in range(0, len(stats.bins) + 1, every):
        t = t0 + i * stats.step
        chart["ticks"].append({
            "x": _n(x(t)),
            "label": _text(x(t), base_y + 18, _time_label(t, stats.step, years), size=10, anchor="middle", fill=C_MUTED),
        })

    # Participants: one lane each, a dot per comment, the longest exchange boxed.
    chart["lanes_label"] = _text(LEFT, lanes_top - 8,
                                 _("most active participants (%(shown)s of %(all)s)") % {
                                     "shown": len(stats.lanes), "all": stats.participants},
                                 size=11, fill=C_MUTED)
    lane_of = {lane.author: i for i, lane in enumerate(stats.lanes)}
    ex = stats.exchange
    if ex is not None and all(a in lane_of for a in ex.authors):
        rows = [lane_of[a] for a in ex.authors]
        ey0 = lanes_top + min(rows) * LANE_H + 2
        ey1 = lanes_top + (max(rows) + 1) * LANE_H - 2
        ex0, ex1 = x(ex.start) - 4, max(x(ex.end) + 4, x(ex.start) + 8)
        chart["exchange_box"] = {"x": _n(ex0), "y": _n(ey0), "width": _n(ex1 - ex0), "height": _n(ey1 - ey0)}
    chart["lanes"] = [_lane(lane, lanes_top + i * LANE_H + LANE_H / 2, x, stats.hostile, years)
                      for i, lane in enumerate(stats.lanes)]

    # Legend, and the longest exchange in words.
    ly = bottom + 26
    lx = float(LEFT)
    legend = []
    for colour, label in ((C_PUBLISHED, _status_word(Status.PUBLISHED)), (C_HELD, _status_word(Status.PENDING)),
                          (C_REJECTED, _("rejected / hostile"))):
        legend.append({"x": _n(lx), "fill": colour, "label": _text(lx + 16, ly, label, size=11)})
        lx += 30 + 7 * len(label)
    chart["legend"] = {
        "y": ly - 10, "line_y": ly - 4, "swatches": legend,
        "line_x1": _n(lx), "line_x2": _n(lx + 18), "line_label": _text(lx + 22, ly, _("mean hostility"), size=11),
        "war_x": _n(lx + 120), "war_label": _text(lx + 136, ly, _("flame war (line: detected)"), size=11),
    }
    if ex is not None:
        chart["exchange"] = _text(LEFT, ly + 22, _(
            "longest exchange: %(who)s, %(n)s comments in a row, %(start)s – %(end)s (boxed)") % {
            "who": " ↔ ".join(ex.authors), "n": ex.count, "start": _when(ex.start, years), "end": _when(ex.end, years)},
                                  size=12, weight="bold")
    return chart


def _lane(lane: Lane, y: float, x: Callable[[datetime], float], hostile_at: float, years: bool) -> dict[str, Any]:
    name = lane.author if len(lane.author) <= 16 else lane.author[:15] + "…"
    # One dot per few pixels: a lane of thousands of comments stays a few hundred shapes, and a
    # dot stands for its most severe comment.
    groups: dict[int, list[Point]] = {}
    for p in lane.points:
        groups.setdefault(int(x(p.created) // DOT_PX), []).append(p)
    dots = []
    for group in groups.values():
        p = max(group, key=lambda q: _severity(q, hostile_at))
        hostile = p.toxicity is not None and p.toxicity >= hostile_at
        more = " " + _("and %(n)s more here") % {"n": len(group) - 1} if len(group) > 1 else ""
        dots.append({
            "x": _n(x(p.created)), "r": 5 if hostile else 4,
            "fill": C_REJECTED if hostile else C_HELD if p.status == Status.PENDING else C_PUBLISHED,
            "outlined": p.status != Status.PUBLISHED,
            "title": f"#{p.id} {p.author}, {_when(p.created, years)}, {_status_word(p.status)}"
                     + (", " + _("hostility %(pct)s%%") % {"pct": round(100 * p.toxicity)}
                        if p.toxicity is not None else "") + more,
        })
    return {"y": _n(y), "label": _text(LEFT - 8, y + 4, f"{name} ({lane.count})", size=11, anchor="end"),
            "dots": dots}


def render_svg(stats: ThreadStats, *, now: datetime | None = None) -> SafeString:
    """The chart as inline SVG markup, for the thread page."""
    return mark_safe(render_to_string("moderators/_health.svg", {"c": layout(stats, now=now), **PALETTE}).strip())  # noqa: S308 (autoescaped template)


def _severity(p: Point, hostile_at: float) -> tuple[bool, bool, float]:
    return (p.toxicity is not None and p.toxicity >= hostile_at, p.status != Status.PUBLISHED, p.toxicity or 0.0)


def _nice_max(n: int) -> float:
    for nice in (4, 8, 12, 20, 40, 60, 100, 200, 400, 1000, 2000, 4000, 10000):
        if n <= nice:
            return nice
    return float(10 ** math.ceil(math.log10(n)))


def _describe(stats: ThreadStats, *, now: datetime | None = None) -> str:
    """The picture in one paragraph, for screen readers."""
    if not stats.points:
        return _("No comments yet.")
    years = _with_year(stats, now)
    parts = [_("%(comments)s by %(participants)s; %(held)s awaiting moderation, %(rejected)s rejected.") % {
        "comments": ngettext("%(n)s comment", "%(n)s comments", stats.total) % {"n": stats.total},
        "participants": ngettext("%(n)s participant", "%(n)s participants", stats.participants) % {
            "n": stats.participants},
        "held": stats.held, "rejected": stats.rejected}]
    if stats.peak_hostility is not None:
        parts.append(_("Peak mean hostility %(pct)s%%.") % {"pct": round(100 * stats.peak_hostility)})
    for war in stats.wars:
        parts.append(_("Flame war from %(start)s to %(end)s between %(who)s (%(replies)s replies, %(hostile)s hostile).")
                     % {"start": _when(war.start, years), "end": _when(war.end, years),
                        "who": ", ".join(war.participants), "replies": war.comment_count,
                        "hostile": war.hostile_count})
    if stats.exchange:
        parts.append(_("Longest exchange: %(who)s, %(n)s in a row.") % {
            "who": _(" and ").join(stats.exchange.authors), "n": stats.exchange.count})
    return " ".join(parts)
