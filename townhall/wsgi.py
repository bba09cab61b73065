import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townhall.settings")
application = get_wsgi_application()

# Load the moderation models now, not on the first comment (py3langid takes seconds).
from townhall.moderation.ml import warm_up  # noqa: E402

warm_up()
