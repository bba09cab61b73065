"""`townhall moderation ...`: replay a thread through a site's pipeline; fit a site's own model
from its moderators' verdicts or from a decisions file; show, keep or reset its thresholds."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from townhall.comments.models import Comment, Status, Thread
from townhall.comments.selectors import site_by_slug, thread_locate
from townhall.core.errors import DomainError
from townhall.moderation.ml import hostility_model
from townhall.moderation.selectors import policy_for, thresholds_for
from townhall.moderation.services import policy_thresholds_settle
from townhall.moderation.sitemodel import RetrainResult, retrain, rollback, train_from_decisions
from townhall.posting.replay import SEED_POLICY, Replay, describe, replay, seed_comments


class Command(BaseCommand):
    help = "Moderation tools: replay a thread, fit a site's own model, its thresholds."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rp = sub.add_parser("replay", help="Run a site's pipeline over a thread, changing nothing.")
        rp.add_argument("--site", help="site whose policy to use (and whose thread to read with --url)")
        rp.add_argument("--url", help="the thread to replay")
        rp.add_argument("--seed", action="store_true", help="replay the seed thread (English only, post-moderation)")
        rp.add_argument("--all", action="store_true", help="print every comment, not only held and flagged")
        rt = sub.add_parser("retrain", help="Fit the site's own model from its moderators' decisions.")
        rt.add_argument("--site", required=True)
        rt.add_argument("--rollback", action="store_true", help="switch back to the previous model")
        ts = sub.add_parser("train-site", help="Fit the site's own model from its past decisions in another system.")
        ts.add_argument("--site", required=True)
        ts.add_argument("--decisions", required=True, help="CSV with columns text,label (1 rejected or hostile, 0 approved)")
        th = sub.add_parser("thresholds", help="Show the hostility thresholds in force; keep or reset the site's own.")
        th.add_argument("--site", required=True)
        choice = th.add_mutually_exclusive_group()
        choice.add_argument("--keep", action="store_true", help="keep the site's own thresholds for the current model")
        choice.add_argument("--reset", action="store_true", help="use the current model's calibrated defaults")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "retrain":
            self._retrain(opts)
            return
        if opts["action"] == "train-site":
            self._train_site(opts)
            return
        if opts["action"] == "thresholds":
            self._thresholds(opts)
            return
        if opts["seed"]:
            try:
                site = site_by_slug(opts["site"]) if opts.get("site") else None
            except DomainError as exc:
                raise CommandError(exc.message) from None
            result = replay(comments=seed_comments(), like=site, policy=None if site else SEED_POLICY,
                            rules="This is an English-only weblog.")
            self._print(result, opts["all"])
            return
        if not (opts.get("site") and opts.get("url")):
            raise CommandError("give --seed, or --site SLUG --url URL")
        try:
            site = site_by_slug(opts["site"])
            url = thread_locate(site=site, url=opts["url"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        thread = Thread.objects.filter(site=site, url=url).first()
        if thread is None:
            raise CommandError(f"no thread at {url} on site {site.slug}")
        # Every comment as it was posted, held and rejected ones too; authors' own deletions left out.
        rows = Comment.objects.filter(thread=thread).exclude(status=Status.DELETED).order_by("created", "id")
        comments = [{"ref": c.pk, "parent_ref": c.parent_id, "author": c.author_name, "text": c.text,
                     "created": c.created, "email": c.author_email, "token": c.author_token} for c in rows]
        self._print(replay(comments=comments, like=site, rules=site.rules), opts["all"])

    def _retrain(self, opts: dict[str, Any]) -> None:
        try:
            site = site_by_slug(opts["site"])
            policy = policy_for(site)
            if opts["rollback"]:
                previous = rollback(policy=policy)
                self.stdout.write(f"site {site.slug} now uses {previous or 'the shipped model'}")
                return
            result = retrain(site=site, policy=policy)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self._report(result, site.slug, "reviewed comments")

    def _train_site(self, opts: dict[str, Any]) -> None:
        rows = read_decisions(Path(opts["decisions"]))
        try:
            site = site_by_slug(opts["site"])
            result = train_from_decisions(site=site, policy=policy_for(site), rows=rows)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self._report(result, site.slug, "decisions")

    def _report(self, result: RetrainResult, slug: str, what: str) -> None:
        b, a = result.before, result.after
        self.stdout.write(f"{result.examples} {what}; held-out: every third")
        self.stdout.write(f"  shipped model: ROC-AUC {b['roc_auc']:.3f}  F1 {b['f1']:.3f}")
        self.stdout.write(f"  site model:    ROC-AUC {a['roc_auc']:.3f}  F1 {a['f1']:.3f}")
        if result.switched:
            self.stdout.write(f"switched to {result.model} (undo: townhall moderation retrain --site {slug} --rollback)")
        else:
            self.stdout.write("kept the current model: the site model was not better on held-out decisions")

    def _thresholds(self, opts: dict[str, Any]) -> None:
        try:
            site = site_by_slug(opts["site"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if opts["keep"] or opts["reset"]:
            policy_thresholds_settle(site=site, keep=opts["keep"])
        limits = thresholds_for(policy_for(site))
        source = "the site's own" if limits.own else f"the model's defaults (model {hostility_model().version})"
        self.stdout.write(f"site {site.slug}: warn {limits.warn:.3f}, hold {limits.hold:.3f}, "
                          f"flame war {limits.flamewar:.3f}: {source}")
        if limits.stale:
            self.stdout.write(
                "warning: these thresholds were set for another version of the hostility model; keep them with "
                f"`townhall moderation thresholds --site {site.slug} --keep` or use the model's with --reset"
            )


    def _print(self, result: Replay, show_all: bool) -> None:
        out = self.stdout.write
        counts: dict[str, int] = {}
        for item in result.items:
            counts[item.action] = counts.get(item.action, 0) + 1
            if not show_all and item.action == "publish":
                continue
            tox = item.scores.get("toxicity")
            score = f" toxicity={tox:.2f}" if tox is not None else ""
            out(f"#{item.ref:<4} {item.action:<8} {item.author[:14]:<14}{score}  {describe(item.reasons) or item.error}")
            out(f"       “{item.text[:90].replace(chr(10), ' ')}”")
            for note in item.notes:
                out(f"       would have refused: {note}")
        out("")
        out("summary: " + ", ".join(f"{n} {a}" for a, n in sorted(counts.items())))
        times = sorted(i.ms for i in result.items if i.ms)
        if times:
            p50, p99 = times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))]
            out(f"pipeline time per comment: p50 {p50:.1f} ms, p99 {p99:.1f} ms (first includes loading models)")
        for war in result.wars:
            out(f"flame war under #{war.anchor_ref}: {', '.join(war.participants)}; "
                f"{war.comment_count} replies, {war.hostile_count} hostile; comments {war.refs[0]}..{war.refs[-1]}")
        if not result.wars:
            out("no flame war")


MAX_DECISIONS = 200_000


def read_decisions(path: Path) -> list[tuple[str, int]]:
    """`text,label` rows; a clear message naming the line for anything else."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if not reader.fieldnames or not {"text", "label"} <= set(reader.fieldnames):
                raise CommandError(f"{path}: line 1: the header must name the columns text and label")
            rows: list[tuple[str, int]] = []
            for row in reader:
                label = (row.get("label") or "").strip()
                if label not in ("0", "1"):
                    raise CommandError(f"{path}: line {reader.line_num}: label must be 0 (approved) or 1 "
                                       f"(rejected or hostile), not {label[:20]!r}")
                text = (row.get("text") or "").strip()
                if not text:
                    raise CommandError(f"{path}: line {reader.line_num}: text is empty")
                rows.append((text, int(label)))
                if len(rows) > MAX_DECISIONS:
                    raise CommandError(f"{path}: more than {MAX_DECISIONS:,} decisions; split the file")
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CommandError(f"{path}: not a UTF-8 CSV file ({exc})") from None
    return rows
