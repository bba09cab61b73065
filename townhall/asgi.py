"""The ASGI entry point `townhall serve` runs under granian: hot reads and live streams in front
of Django (townhall.live.app)."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townhall.settings")
django.setup(set_prefix=False)

from townhall.live.app import build  # noqa: E402
from townhall.moderation.ml import warm_up  # noqa: E402
from townhall.moderation.selectors import languages_restricted  # noqa: E402

application = build()

# Load the moderation models now, not on the first comment; the language model only where a
# site restricts languages (it costs each worker 68 MB).
warm_up(languages=languages_restricted())
