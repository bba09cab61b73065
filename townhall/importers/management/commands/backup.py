"""`townhall backup [DEST]`: the database (consistent while serving) and the secret key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from townhall.importers.backups import BackupError, backup


class Command(BaseCommand):
    help = ("Back up the database (SQLite's online backup API, or pg_dump) and the secret key into DEST "
            "(default ./townhall-backup-YYYYmmdd-HHMMSS), with a manifest that `townhall restore` checks.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dest", nargs="?", type=Path)

    def handle(self, *args: Any, **opts: Any) -> None:
        dest = opts["dest"] or Path(f"townhall-backup-{timezone.now():%Y%m%d-%H%M%S}")
        try:
            result = backup(dest)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from None
        for warning in result.warnings:
            self.stderr.write(f"WARNING: {warning}")
        self.stdout.write(f"backup written to {result.path}" + (" (with the secret key)" if result.key_included else ""))
