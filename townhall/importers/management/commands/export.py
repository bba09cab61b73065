"""`townhall export --site SLUG [--format json|jsonl] [--include-private] [-o FILE]`."""

from __future__ import annotations

import os
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from townhall.comments.models import Site
from townhall.importers.townhall_format import write_export


class Command(BaseCommand):
    help = (
        "Export a site's threads and comments in Townhall's documented format (version 1), which "
        "`townhall import townhall FILE` reads back. Emails and IP addresses only with --include-private."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--site", required=True)
        parser.add_argument("--format", choices=["json", "jsonl"], default="jsonl")
        parser.add_argument("--include-private", action="store_true",
                            help="include emails, IP addresses, reader tokens and moderation records (moving servers)")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **opts: Any) -> None:
        site = Site.objects.filter(slug=opts["site"]).first()
        if site is None:
            raise CommandError(f"no site {opts['site']!r} (townhall site list)")
        private = opts["include_private"]
        target = opts["output"]
        if private and not target:
            raise CommandError("--include-private writes emails and IP addresses: give a file with -o, not stdout")
        if not target:
            stream = cast(IO[str], self.stdout._out)  # the stream itself: the wrapper adds newlines
            n = write_export(site, stream, fmt=opts["format"], private=False)
            self.stderr.write(f"exported {n:,} comments of {site.slug}")
            return
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
        except OSError as exc:
            raise CommandError(f"cannot write {target}: {exc.strerror}") from None
        if private:
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            n = write_export(site, out, fmt=opts["format"], private=private)
        self.stdout.write(f"exported {n:,} comments of {site.slug} to {target}")
        if private:
            self.stderr.write(
                "WARNING: this file holds commenters' email addresses and IP addresses (mode 0600). "
                "Move it over an encrypted channel and delete it once imported."
            )
