"""What webhooks cost: the time a comment write spends on the durable consumer, and how fast the
task worker delivers signed webhooks to a local receiver.

    .venv/bin/python bench/webhook_delivery.py [--comments 300]

Builds a throw-away SQLite database, writes N comments through the store's services on a site
without webhooks and on one with an endpoint (the database task backend, as in production), then
runs django-tasks-db's worker in this process until the queue is empty, against an http.server
receiver on 127.0.0.1 that verifies every signature with the standardwebhooks library. Prints
milliseconds per write, deliveries per second and how many verified. Never part of the test run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=300)
    args = parser.parse_args()
    os.environ["TOWNHALL_DATA_DIR"] = tempfile.mkdtemp(prefix="townhall-bench-")
    os.environ["TOWNHALL_WEBHOOK_ALLOW_NETWORKS"] = "127.0.0.1"
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townhall.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django_tasks_db.management.commands.db_worker import Worker
    from standardwebhooks import Webhook, WebhookVerificationError

    from townhall.comments.models import Status
    from townhall.comments.services import comment_check, comment_insert, site_create
    from townhall.webhooks.models import SUBSCRIBABLE, Delivery, DeliveryStatus
    from townhall.webhooks.services import endpoint_create

    call_command("migrate", verbosity=0)
    verified = {"ok": 0, "bad": 0}
    secret = {"value": ""}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            try:
                Webhook(secret["value"]).verify(body, dict(self.headers.items()))
                verified["ok"] += 1
            except WebhookVerificationError:
                verified["bad"] += 1
            self.send_response(204)
            self.end_headers()

        def log_message(self, *a: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def write(slug: str, n: int) -> float:
        site = site_create(slug=slug, name=slug, origins=[f"https://{slug}.example"])
        if slug == "hooked":
            endpoint = endpoint_create(actor=None, site=site, url=f"http://127.0.0.1:{server.server_address[1]}/",
                                       events=list(SUBSCRIBABLE))
            secret["value"] = endpoint.secret
        started = time.perf_counter()
        for i in range(n):
            draft = comment_check(site=site, url=f"https://{slug}.example/a", text=f"Comment {i}.", author_name="B")
            with transaction.atomic():
                comment_insert(draft=draft, status=Status.PUBLISHED)
        return (time.perf_counter() - started) / n * 1000

    plain = write("plain", args.comments)
    hooked = write("hooked", args.comments)
    print(f"comment write, site without webhooks: {plain:.2f} ms")
    print(f"comment write, site with an endpoint: {hooked:.2f} ms (+{hooked - plain:.2f} ms: the fan-out task row)")
    worker = Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="bench", excluded_queue_names=[])
    started = time.perf_counter()
    worker.run()
    took = time.perf_counter() - started
    delivered = Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count()
    print(f"worker: {delivered} deliveries in {took:.1f} s = {delivered / took:.0f}/s (fan-out and delivery tasks, "
          f"one worker process); signatures verified {verified['ok']}, refused {verified['bad']}")
    server.shutdown()


if __name__ == "__main__":
    main()
