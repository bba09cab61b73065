"""`townhall privacy export|erase|cancel|run`: a reader's data, for the operator (GDPR)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from townhall.comments.selectors import site_by_slug
from townhall.core.errors import DomainError, ValidationFailed
from townhall.moderators import privacy


class Command(BaseCommand):
    help = "A reader's data by email address: export it, erase it (after the site's grace period), run due erasures."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, doc in (
            ("export", "Print everything posted with an address on a site, as JSON."),
            ("erase", "Schedule the erasure of everything posted with an address (after the site's grace period)."),
            ("cancel", "Cancel a scheduled erasure."),
        ):
            p = sub.add_parser(name, help=doc)
            p.add_argument("--email", required=True)
            p.add_argument("--site", required=True, help="the site's slug")
            if name == "erase":
                p.add_argument("--now", action="store_true", help="erase at once, without the grace period")
        sub.add_parser("run", help="Carry out every erasure whose grace period is over.")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            if opts["action"] == "run":
                self.stdout.write(f"erasures carried out: {privacy.erasures_due()}")
                return
            whose = privacy.whose_email(site=site_by_slug(opts["site"]), email=opts["email"])
            if opts["action"] == "export":
                self.stdout.write(json.dumps(privacy.privacy_export(whose=whose, actor_name="command line"),
                                             indent=1, ensure_ascii=False))
            elif opts["action"] == "cancel":
                privacy.erasure_cancel(whose=whose, actor_name="command line")
                self.stdout.write("erasure cancelled")
            elif opts["now"]:
                counts = privacy.privacy_erase(whose=whose, actor_name="command line")
                self.stdout.write("erased: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
            else:
                request = privacy.erasure_request(whose=whose, actor_name="command line")
                self.stdout.write(f"erasure scheduled for {request.due:%Y-%m-%d %H:%M %Z} "
                                  f"(the site's grace period); `townhall privacy run` carries it out then")
        except ValidationFailed as exc:
            raise CommandError("; ".join(f"--{e.field}: {e.message}" for e in exc.errors)) from None
        except DomainError as exc:
            raise CommandError(exc.message) from None
