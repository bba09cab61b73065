"""`townhall mail bounce FILE`: read a bounce that came back to a VERP return path (a raw mail
message, as an MTA's pipe or a mailbox file holds it; `-` reads standard input) and stop mail to
the address it names when the failure is permanent."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from townhall.notifications.services import bounce_process


class Command(BaseCommand):
    help = "Mail maintenance: `bounce FILE` reads a bounce and stops mail to a permanently failing address."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        bounce = sub.add_parser("bounce", help="read a bounce message (RFC 3464) from FILE, or - for stdin")
        bounce.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        if name == "-":
            raw = sys.stdin.buffer.read()
        else:
            try:
                raw = Path(name).read_bytes()
            except OSError as exc:
                raise CommandError(f"{name}: cannot read it ({exc.strerror})") from None
        bounce = bounce_process(raw=raw)
        # The address itself is never printed: the row id is enough to find it.
        if bounce.address_id is None:
            raise CommandError(f"{name}: not a bounce of ours (no signed return path in To, Delivered-To or "
                               "X-Original-To); nothing changed")
        if not bounce.status:
            self.stdout.write(f"{name}: address #{bounce.address_id}: no delivery status (an auto-reply?); "
                              "nothing changed")
        elif not bounce.permanent:
            self.stdout.write(f"{name}: address #{bounce.address_id}: temporary failure {bounce.status}; nothing changed")
        elif bounce.disabled:
            self.stdout.write(f"{name}: address #{bounce.address_id}: permanent failure {bounce.status}; mail to it stopped")
        else:
            self.stdout.write(f"{name}: address #{bounce.address_id}: permanent failure {bounce.status}; "
                              "mail to it was already stopped")
