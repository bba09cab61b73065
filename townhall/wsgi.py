import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townhall.settings")
application = get_wsgi_application()

# Load the moderation models now, not on the first comment; the language model only where a
# site restricts languages (it costs each worker 68 MB).
from townhall.moderation.ml import warm_up  # noqa: E402
from townhall.moderation.selectors import languages_restricted  # noqa: E402

warm_up(languages=languages_restricted())
