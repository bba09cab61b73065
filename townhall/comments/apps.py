from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "townhall.comments"
    label = "comments"

    def ready(self) -> None:
        from corsheaders.signals import check_request_enabled

        from townhall.comments.origins import origin_allowed_by_a_site

        # django-cors-headers asks this hook per request; the allowed origins live in the
        # database (each site's origins), so a static CORS_ALLOWED_ORIGINS list can't hold them.
        # (Imported here because models can't be imported before the app registry is ready.)
        check_request_enabled.connect(origin_allowed_by_a_site, dispatch_uid="townhall-cors")
