"""manage.py issue_setup_code <username> — a one-time code to set up an authenticator.

For the first administrator (made by createsuperuser), or any account whose phone is lost when
no other administrator can issue one in the admin. Whoever runs this has the server's shell.
"""

from django.core.management.base import BaseCommand, CommandError

from core import services
from core.models import User


class Command(BaseCommand):
    help = (
        "Issue a one-time set-up code for an account's authenticator (its old one stops working)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError("No account named {!r}.".format(username))
        if not user.needs_two_factor:
            raise CommandError("{} signs in without an authenticator.".format(username))
        code = services.enrolment_code_issue(user=user, actor=None)
        self.stdout.write(
            "Set-up code for {}: {}\n(valid 72 hours, works once; give it to the person "
            "directly, then they sign in and scan the QR code)".format(username, code)
        )
