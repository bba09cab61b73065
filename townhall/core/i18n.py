"""Which language a page or an email speaks. The moderation pages follow the moderator's browser
(LocaleMiddleware); what readers see follows the embedding page's `lang`, else the site's setting."""

from __future__ import annotations

from django.conf import settings


def supported(code: str | None) -> str | None:
    """The catalog for a language tag ("fr-CA" -> "fr"), or None when Townhall has none."""
    primary = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in dict(settings.LANGUAGES) else None


def reader_language(*, requested: str | None, site_language: str | None) -> str:
    return supported(requested) or supported(site_language) or settings.LANGUAGE_CODE

