"""`townhall restore SRC`: check a backup, then put it in place. Stop `townhall serve` first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from townhall.comments.models import Site
from townhall.importers.backups import BackupError, check, restore


class Command(BaseCommand):
    help = ("Check a backup made by `townhall backup` (checksums, SQLite integrity, secret key) and restore "
            "it over the current database. Stop the server first.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("src", type=Path)
        parser.add_argument("--check", action="store_true", help="only check the backup")
        parser.add_argument("--force", action="store_true", help="replace a database that already has sites")

    def handle(self, *args: Any, **opts: Any) -> None:
        src: Path = opts["src"]
        try:
            if opts["check"]:
                checked = check(src)
                self.stdout.write(f"{src}: OK ({checked.manifest['database']}, made {checked.manifest['created']}, "
                                  f"secret key {'included' if checked.key else 'NOT included'})")
                return
            if Site.objects.exists() and not opts["force"]:
                raise CommandError("this database already has sites: pass --force to replace it with the backup")
            notes = restore(src)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from None
        for note in notes:
            self.stderr.write(f"NOTE: {note}")
        self.stdout.write(f"restored {src}")
