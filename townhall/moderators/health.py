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
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape

from django.db.models.fields.json import KT
from django.utils.safestring import SafeString, mark_safe

from townhall.comments.models import Comment, Status, Thread
from townhall.moderation.models import FlameWar

MAX_COMMENTS = 50_000  # the newest ones; a picture of 50,000 comments has no room for more
MAX_BINS = 96
LANES = 6
HOSTILE = 0.5  # the pipeline's default warn threshold

# Palette: colour-blind safe (Okabe-Ito), with text labels for every colour.
C_PUBLISHED = "#56B4E9"
C_HELD = "#E69F00"
C_REJECTED = "#D55E00"
C_HOSTILITY = "#7a0177"
C_WAR = "#D55E00"
C_TEXT = "#222222"
C_MUTED = "#666666"
C_GRID = "#dddddd"


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
        return "hour" if hours == 1 else f"{hours} hours"


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
    if not points:
        return ThreadStats(thread, [], [], timedelta(hours=1), None, None, 0, 0, 0, [], None, wars)
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
    )


# ---------------------------------------------------------------------------- drawing

W = 960
LEFT, RIGHT = 130, 50
TOP = 54
BARS_H = 200
GAP = 46
LANE_H = 26
DOT_PX = 3


def _t(x: float, y: float, text: str, *, size: int = 12, anchor: str = "start", fill: str = C_TEXT,
       weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
            f'font-weight="{weight}">{escape(text)}</text>')


def _time_label(t: datetime, step: timedelta) -> str:
    return t.strftime("%b %d") if step >= timedelta(hours=24) else t.strftime("%b %d %H:%M")


def render_svg(stats: ThreadStats) -> SafeString:
    lanes_h = max(1, len(stats.lanes)) * LANE_H
    lanes_top = TOP + BARS_H + GAP
    height = lanes_top + lanes_h + 70
    plot_w = W - LEFT - RIGHT
    title = f"Health of thread “{stats.thread.title or stats.thread.url}”"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" width="{W}" height="{height}" '
        f'role="img" aria-labelledby="health-title health-desc" font-family="system-ui, sans-serif" '
        f'class="health-chart">',
        f'<title id="health-title">{escape(title)}</title>',
    ]
    desc = _describe(stats)
    out.append(f'<desc id="health-desc">{escape(desc)}</desc>')
    out.append(f'<rect x="0" y="0" width="{W}" height="{height}" fill="#ffffff"/>')
    if not stats.points or stats.start is None or stats.end is None:
        out.append(_t(W / 2, height / 2, "No comments yet.", size=16, anchor="middle", fill=C_MUTED))
        out.append("</svg>")
        return mark_safe("".join(out))  # noqa: S308 (every text above is escaped)

    t0, t1 = stats.start, stats.end
    span = (t1 - t0).total_seconds() or 1.0

    def x(t: datetime) -> float:
        return LEFT + plot_w * max(0.0, min(1.0, (t - t0).total_seconds() / span))

    # Header: the numbers behind the picture.
    held_pct = round(100 * stats.held / stats.total)
    rej_pct = round(100 * stats.rejected / stats.total)
    out.append(_t(LEFT, 20, f"{stats.total} comments · {stats.participants} participants · "
                  f"{held_pct}% awaiting moderation · {rej_pct}% rejected", size=14, weight="bold"))
    peak = stats.peak_hostility
    out.append(_t(LEFT, 38, f"comments per {stats.step_label}"
                  + (f" · peak mean hostility {round(100 * peak)}%" if peak is not None else ""), fill=C_MUTED))

    # Flame wars: shaded bands across both panels, labelled above the bars.
    bottom = lanes_top + lanes_h
    for i, war in enumerate(stats.wars):
        x0, x1 = x(war.start), x(war.end)
        x1 = max(x1, x0 + 4)
        out.append(f'<rect x="{x0:.1f}" y="{TOP - 8}" width="{x1 - x0:.1f}" height="{bottom - TOP + 8}" '
                   f'fill="{C_WAR}" fill-opacity="0.10" stroke="{C_WAR}" stroke-opacity="0.6" '
                   f'stroke-dasharray="4 3" class="war-band" data-war="{war.id}"/>')
        label = (f"flame war{' (resolved)' if war.status == 'resolved' else ''}: "
                 f"{' vs '.join(war.participants[:3])} · {war.comment_count} replies, {war.hostile_count} hostile")
        out.append(_t(min(x0 + 4, W - RIGHT - 10), TOP + 6 + 14 * i, label, size=11, fill=C_WAR, weight="bold"))
        # When the pipeline saw it: the moment a moderator could have stepped in.
        xd = x(war.detected)
        out.append(f'<line x1="{xd:.1f}" x2="{xd:.1f}" y1="{TOP + 10 + 14 * i}" y2="{bottom}" stroke="{C_WAR}" '
                   f'stroke-width="2" class="war-detected"/>')
        out.append(_t(xd + 4, bottom - 4, f"detected {war.detected:%b %d %H:%M}", size=10, fill=C_WAR))

    # Bars and their axis.
    peak_count = max(b.total for b in stats.bins) or 1
    scale_max = _nice_max(peak_count)
    base_y = TOP + BARS_H
    for k in range(5):
        v = scale_max * k / 4
        y = base_y - BARS_H * k / 4
        out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{C_GRID}"/>')
        out.append(_t(LEFT - 6, y + 4, f"{v:g}", size=11, anchor="end", fill=C_MUTED))
        out.append(_t(W - RIGHT + 6, y + 4, f"{25 * k}%", size=11, fill=C_HOSTILITY))
    cy = TOP + BARS_H / 2
    out.append(f'<text x="{LEFT - 40}" y="{cy:.1f}" font-size="11" text-anchor="middle" fill="{C_MUTED}" '
               f'transform="rotate(-90 {LEFT - 40} {cy:.1f})">comments</text>')
    out.append(f'<text x="{W - 8}" y="{cy:.1f}" font-size="11" text-anchor="middle" fill="{C_HOSTILITY}" '
               f'transform="rotate(90 {W - 8} {cy:.1f})">hostility</text>')
    bw = plot_w / len(stats.bins)
    for b in stats.bins:
        bx = x(b.start) + 1
        y = base_y
        for value, colour, what in ((b.published, C_PUBLISHED, "published"), (b.held, C_HELD, "awaiting moderation"),
                                    (b.rejected, C_REJECTED, "rejected")):
            if not value:
                continue
            h = BARS_H * value / scale_max
            y -= h
            out.append(f'<rect x="{bx:.1f}" y="{y:.1f}" width="{max(1.0, bw - 2):.1f}" height="{h:.1f}" '
                       f'fill="{colour}"><title>{escape(_time_label(b.start, stats.step))}: {value} {what}'
                       f'</title></rect>')

    # Hostility line: mean toxicity per step, 0..100% on the right axis.
    line = [(x(b.start) + bw / 2, base_y - BARS_H * mean) for b in stats.bins if (mean := b.hostility) is not None]
    if line:
        pts = " ".join(f"{px:.1f},{py:.1f}" for px, py in line)
        out.append(f'<polyline points="{pts}" fill="none" stroke="{C_HOSTILITY}" stroke-width="2.5" '
                   f'stroke-linejoin="round" class="hostility-line"/>')
        for px, py in line:
            out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{C_HOSTILITY}"/>')

    # Time axis.
    out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{base_y}" y2="{base_y}" stroke="{C_TEXT}"/>')
    ticks = max(1, len(stats.bins) // 8)
    for i in range(0, len(stats.bins) + 1, ticks):
        t = t0 + i * stats.step
        tx = x(t)
        out.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{base_y}" y2="{base_y + 5}" stroke="{C_TEXT}"/>')
        out.append(_t(tx, base_y + 18, _time_label(t, stats.step), size=10, anchor="middle", fill=C_MUTED))

    # Participants: one lane each, a dot per comment.
    out.append(_t(LEFT, lanes_top - 8, f"most active participants ({len(stats.lanes)} of {stats.participants})",
                  size=11, fill=C_MUTED))
    lane_of = {lane.author: i for i, lane in enumerate(stats.lanes)}
    ex = stats.exchange
    if ex is not None and all(a in lane_of for a in ex.authors):
        rows = [lane_of[a] for a in ex.authors]
        ey0 = lanes_top + min(rows) * LANE_H + 2
        ey1 = lanes_top + (max(rows) + 1) * LANE_H - 2
        ex0, ex1 = x(ex.start) - 4, max(x(ex.end) + 4, x(ex.start) + 8)
        out.append(f'<rect x="{ex0:.1f}" y="{ey0:.1f}" width="{ex1 - ex0:.1f}" height="{ey1 - ey0:.1f}" fill="none" '
                   f'stroke="{C_TEXT}" stroke-width="1.5" rx="4" class="exchange"/>')
    for i, lane in enumerate(stats.lanes):
        y = lanes_top + i * LANE_H + LANE_H / 2
        out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{C_GRID}"/>')
        name = lane.author if len(lane.author) <= 16 else lane.author[:15] + "…"
        out.append(_t(LEFT - 8, y + 4, f"{name} ({lane.count})", size=11, anchor="end"))
        # One dot per few pixels: a lane of thousands of comments stays a few hundred shapes,
        # and a dot stands for its most severe comment.
        dots: dict[int, list[Point]] = {}
        for p in lane.points:
            dots.setdefault(int(x(p.created) // DOT_PX), []).append(p)
        for group in dots.values():
            p = max(group, key=_severity)
            hostile = p.toxicity is not None and p.toxicity >= HOSTILE
            fill = C_REJECTED if hostile else C_HELD if p.status == Status.PENDING else C_PUBLISHED
            stroke = f' stroke="{C_TEXT}" stroke-width="1.5"' if p.status != Status.PUBLISHED else ""
            more = f" and {len(group) - 1} more here" if len(group) > 1 else ""
            out.append(f'<circle cx="{x(p.created):.1f}" cy="{y:.1f}" r="{5 if hostile else 4}" fill="{fill}"'
                       f'{stroke}><title>#{p.id} {escape(p.author)}, {p.created:%b %d %H:%M}, {p.status}'
                       + (f", hostility {round(100 * p.toxicity)}%" if p.toxicity is not None else "")
                       + f"{more}</title></circle>")

    # Legend, and the longest exchange in words.
    ly = bottom + 26
    lx = float(LEFT)
    for colour, label in ((C_PUBLISHED, "published"), (C_HELD, "awaiting moderation"), (C_REJECTED, "rejected / hostile")):
        out.append(f'<rect x="{lx:.1f}" y="{ly - 10}" width="12" height="12" fill="{colour}"/>')
        out.append(_t(lx + 16, ly, label, size=11))
        lx += 30 + 7 * len(label)
    out.append(f'<line x1="{lx:.1f}" x2="{lx + 18:.1f}" y1="{ly - 4}" y2="{ly - 4}" stroke="{C_HOSTILITY}" stroke-width="2.5"/>')
    out.append(_t(lx + 22, ly, "mean hostility", size=11))
    lx += 120
    out.append(f'<rect x="{lx:.1f}" y="{ly - 10}" width="12" height="12" fill="{C_WAR}" fill-opacity="0.15" '
               f'stroke="{C_WAR}" stroke-dasharray="3 2"/>')
    out.append(_t(lx + 16, ly, "flame war (line: detected)", size=11))
    if ex is not None:
        out.append(_t(LEFT, ly + 22, f"longest exchange: {' ↔ '.join(ex.authors)}, {ex.count} comments in a row, "
                      f"{ex.start:%b %d %H:%M} – {ex.end:%b %d %H:%M} (boxed)", size=12, weight="bold"))
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 (every text above is escaped)


def _severity(p: Point) -> tuple[bool, bool, float]:
    return (p.toxicity is not None and p.toxicity >= HOSTILE, p.status != Status.PUBLISHED, p.toxicity or 0.0)


def _nice_max(n: int) -> float:
    for nice in (4, 8, 12, 20, 40, 60, 100, 200, 400, 1000, 2000, 4000, 10000):
        if n <= nice:
            return nice
    return float(10 ** math.ceil(math.log10(n)))


def _describe(stats: ThreadStats) -> str:
    """The picture in one paragraph, for screen readers."""
    if not stats.points:
        return "No comments yet."
    parts = [f"{stats.total} comments by {stats.participants} participants; "
             f"{stats.held} awaiting moderation, {stats.rejected} rejected."]
    if stats.peak_hostility is not None:
        parts.append(f"Peak mean hostility {round(100 * stats.peak_hostility)}%.")
    for war in stats.wars:
        parts.append(f"Flame war from {war.start:%b %d %H:%M} to {war.end:%b %d %H:%M} between "
                     f"{', '.join(war.participants)} ({war.comment_count} replies, {war.hostile_count} hostile).")
    if stats.exchange:
        parts.append(f"Longest exchange: {' and '.join(stats.exchange.authors)}, {stats.exchange.count} in a row.")
    return " ".join(parts)
