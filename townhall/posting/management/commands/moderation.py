"""`townhall moderation replay`: what a site's pipeline would have done to a thread."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from townhall.comments.models import Comment, Status, Thread
from townhall.comments.selectors import site_by_slug, thread_locate
from townhall.core.errors import DomainError
from townhall.moderation.selectors import policy_for
from townhall.moderation.sitemodel import retrain, rollback
from townhall.posting.replay import SEED_POLICY, Replay, describe, replay, seed_comments


class Command(BaseCommand):
    help = "Moderation tools: replay a thread through a site's pipeline."

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

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "retrain":
            self._retrain(opts)
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
        b, a = result.before, result.after
        self.stdout.write(f"{result.examples} reviewed comments; held-out: every third")
        self.stdout.write(f"  shipped model: ROC-AUC {b['roc_auc']:.3f}  F1 {b['f1']:.3f}")
        self.stdout.write(f"  site model:    ROC-AUC {a['roc_auc']:.3f}  F1 {a['f1']:.3f}")
        if result.switched:
            self.stdout.write(f"switched to {result.model} (undo: townhall moderation retrain --site {site.slug} --rollback)")
        else:
            self.stdout.write("kept the current model: the site model was not better on held-out decisions")

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

