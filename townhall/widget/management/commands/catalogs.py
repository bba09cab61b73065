"""`townhall catalogs`: bring every language's translation catalogs up to date with the code.

Extracts the server's messages (templates and Python, Django's makemessages) and the widget's
STRINGS table, merges them into townhall/locale/LANG/LC_MESSAGES/{django,widget}.po keeping
the translations, compiles django.mo and writes the widget's JSON catalogs. Run it after
changing any text a reader or moderator sees, translate the new entries, and run it again.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Update the .po catalogs from the code, compile them, and write the widget's JSON catalogs."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-extract", action="store_true",
                            help="only compile the .po files as they are (no xgettext needed)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            from townhall.widget import catalogs
        except ImportError as exc:  # polib is a development dependency
            raise CommandError(f"{exc}: install the dev extra (pip install -e '.[dev]')") from exc

        langs = catalogs.languages()
        if not options["no_extract"]:
            here = os.getcwd()
            os.chdir(catalogs.ROOT)  # makemessages reads the tree under the current directory
            try:
                call_command("makemessages", locale=langs, domain="django", verbosity=0, no_obsolete=True,
                             add_location="file", ignore_patterns=["*/tests/*", "tests/*", "*/node_modules/*"])
            finally:
                os.chdir(here)
        table = catalogs.widget_strings()
        catalogs.JSON_DIR.mkdir(exist_ok=True)
        for lang in langs:
            server = catalogs.polib.pofile(str(catalogs.po_path(lang, "django")), wrapwidth=0)
            catalogs.server_po_tidy(server, lang)
            server.save()
            server.save_as_mofile(str(catalogs.po_path(lang, "django").with_suffix(".mo")))
            widget, missing = catalogs.widget_po_update(lang, table)
            widget.save(str(catalogs.po_path(lang, "widget")))
            (catalogs.JSON_DIR / f"{lang}.json").write_text(
                catalogs.json_text(catalogs.widget_json(lang, widget, table)), encoding="utf-8")
            todo = len(catalogs.problems(server, widget=False)) + missing
            self.stdout.write(f"{lang}: {len(server)} server and {len(widget)} widget messages, {todo} to translate")
            if options["verbosity"] >= 2:  # -v 2: which ones, and in which file
                for domain, po in (("django", server), ("widget", widget)):
                    for problem in catalogs.problems(po, widget=domain == "widget"):
                        self.stdout.write(f"  {catalogs.po_path(lang, domain).relative_to(catalogs.ROOT.parent)}: {problem}")
