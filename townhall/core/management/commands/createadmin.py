from django.contrib.auth.management.commands.createsuperuser import Command as CreateSuperuser


class Command(CreateSuperuser):
    help = "Create an administrator who can sign in to /admin/ and moderate every site."
