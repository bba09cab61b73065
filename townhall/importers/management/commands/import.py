"""`townhall import {disqus,wordpress,isso,remark42,townhall} FILE --site SLUG`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from townhall.comments.models import Site
from townhall.importers.base import ImportFailed
from townhall.importers.services import SOURCES, run_import


def parse_mapping(raw: str) -> tuple[str, str]:
    old, sep, new = raw.partition("=")
    if not sep or not old.strip() or not new.strip():
        raise CommandError(f"--map-url {raw!r}: expected OLD_PREFIX=NEW_PREFIX")
    return old.strip(), new.strip()


class Command(BaseCommand):
    help = (
        "Import comments from Disqus (XML export), WordPress (WXR), Isso (its SQLite file), Remark42 "
        "(backup, JSON lines) or another Townhall (townhall export). The whole file is checked before "
        "anything is written; then each thread commits on its own. Running it again adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", choices=SOURCES)
        parser.add_argument("file", type=Path)
        parser.add_argument("--site", required=True, help="the site (slug) the comments go to")
        parser.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
        parser.add_argument("--map-url", action="append", default=[], metavar="OLD_PREFIX=NEW_PREFIX",
                            help="rewrite thread URLs that start with OLD_PREFIX (repeatable)")
        parser.add_argument("--moderate", action="store_true",
                            help="run comments through the site's moderation pipeline in time order and hold "
                                 "what it would hold (default: keep the source's states)")
        parser.add_argument("--base-url", default="",
                            help="for sources that store paths, not URLs (Isso): the site's address; "
                                 "default: the site's first origin")
        parser.add_argument("--no-progress", action="store_true", help="no progress output")

    def handle(self, *args: Any, **opts: Any) -> None:
        site = Site.objects.filter(slug=opts["site"]).first()
        if site is None:
            raise CommandError(f"no site {opts['site']!r} (townhall site list)")
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        mappings = [parse_mapping(m) for m in opts["map_url"]]
        base_url = opts["base_url"] or next(iter(site.origins.order_by("id").values_list("origin", flat=True)), "")
        try:
            report = run_import(
                source=opts["source"], path=path, site=site, mappings=mappings, dry_run=opts["dry_run"],
                moderate=opts["moderate"], progress=not opts["no_progress"], base_url=base_url,
            )
        except ImportFailed as exc:
            raise CommandError(f"{path.name}: {exc} (nothing was written)") from None
        for line in report.lines():
            self.stdout.write(line)
