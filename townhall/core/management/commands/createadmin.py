from typing import Any

from django.contrib.auth.management.commands.createsuperuser import Command as CreateSuperuser


class Command(CreateSuperuser):
    help = "Create an administrator who can sign in to /admin/ and moderate every site."

    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **options)
