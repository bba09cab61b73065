"""The `townhall` command: Django's management commands under one name."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townhall.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError, ProgrammingError

    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        args = ["help"]
    try:
        execute_from_command_line(["townhall", *args])
    except (OperationalError, ProgrammingError) as exc:
        # A database without its tables (a new data directory, a wrong TOWNHALL_DATA_DIR or
        # DATABASE_URL): say which one was used and what to do, never a traceback.
        where = settings.DATABASES["default"]
        database = where.get("NAME") if where["ENGINE"].endswith("sqlite3") else f"{where.get('HOST')}/{where.get('NAME')}"
        sys.stderr.write(
            f"townhall: the database is not ready: {exc}\n"
            f"  data directory: {settings.DATA_DIR}\n"
            f"  database:       {database}\n"
            "If this is your installation, run `townhall migrate` (or `townhall serve`, which migrates).\n"
            "If your data is elsewhere, set TOWNHALL_DATA_DIR (or DATABASE_URL) to it, e.g.\n"
            "  TOWNHALL_DATA_DIR=/srv/townhall/var townhall " + " ".join(args) + "\n"
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
