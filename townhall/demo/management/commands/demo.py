from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from townhall.demo.services import demo_load


class Command(BaseCommand):
    help = "Load the seed article and its thread into the site 'demo', then serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="Load the demo and exit.")

    def handle(self, *args: Any, **opts: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        host, port = opts["host"], opts["port"]
        # Binding to the address the operator chose is the point of --host.
        everywhere = "0.0.0.0"  # noqa: S104
        hosts = {host, "127.0.0.1", "localhost"} if host in ("127.0.0.1", "localhost", everywhere) else {host}
        origins = [f"http://{h}:{port}" if port != 80 else f"http://{h}" for h in sorted(hosts) if h != everywhere]
        site, added = demo_load(serving_origins=origins)
        thread = site.threads.first()
        count = thread.comment_count if thread else 0
        held = site.threads.first().comments.filter(status="pending").count() if thread else 0  # type: ignore[union-attr]
        self.stdout.write(f"demo: site '{site.slug}', {count} comments ({added} added now), {held} held for moderation")
        self.stdout.write("moderate them at /moderate/ after `townhall createadmin`")
        if not opts["no_serve"]:
            self.stdout.write(f"open http://{'127.0.0.1' if host == everywhere else host}:{port}/")
            call_command("serve", host=host, port=port, skip_migrate=True)
