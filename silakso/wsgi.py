"""WSGI entry point (gunicorn silakso.wsgi)."""

import os

from silakso.preflight import check_database, fail_clearly

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "silakso.settings.production")

with fail_clearly():
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    check_database()
