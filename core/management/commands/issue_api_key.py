"""manage.py issue_api_key <username> --scopes registry:read,applications:intake [--days 365]
[--ip 203.0.113.0/24 ...] [--label "server MPP"] — a key for a partner system, printed once.

The same as *Administrasi → Sistem mitra → Issue a new key* in the app, for whoever has the
server's shell (the first partner before any administrator signs in, or a scripted setup).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.apikeys import SCOPES, api_key_issue
from core.models import User


class Command(BaseCommand):
    help = "Issue an API key for a partner system's account (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--scopes", required=True, help="comma-separated: " + ", ".join(SCOPES))
        parser.add_argument("--days", type=int, default=365, help="valid for (0: no end)")
        parser.add_argument("--ip", action="append", default=[], help="allowed address/network")
        parser.add_argument("--label", default="", help="which system uses it")

    def handle(self, *args, username, scopes, days, ip, label, **options):
        client = User.objects.filter(username=username).first()
        if client is None:
            raise CommandError("No account named {!r}.".format(username))
        try:
            key, raw = api_key_issue(
                client=client,
                name=label or "key from the command line",
                scopes=[s.strip() for s in scopes.split(",") if s.strip()],
                actor=None,
                expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
                allowed_ips=ip,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            "{}\n(shown once; {} may: {}; until {})".format(
                raw,
                username,
                ", ".join(key.scopes),
                key.expires_at.date().isoformat() if key.expires_at else "no end date",
            )
        )
