"""Run by tests/test_demo_path.py inside the zero-configuration demo (SQLite, eager tasks).

Signs in as every demo account through the real sign-in form, renders its landing page, runs one
background job inline, and prints a JSON report for the test to check.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "silakso.settings.local")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils.html import escape  # noqa: E402

from core.management.commands.seed_demo import DEMO_PASSWORD  # noqa: E402
from core.models import Job, User  # noqa: E402

report = {
    "database": settings.DATABASES["default"]["ENGINE"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "pages": {},
}
anonymous = Client(HTTP_HOST="127.0.0.1")
report["pages"]["anonymous"] = anonymous.get("/").status_code
missing = anonymous.get("/tidak-ada-halaman-ini/")
report["not_found"] = {
    "status": missing.status_code,
    "own_page": "SILAKSO" in missing.content.decode() and "URLconf" not in missing.content.decode(),
}
report["static"] = anonymous.get("/static/css/silakso.css").status_code
report["usernames"] = sorted(User.objects.values_list("username", flat=True))
for user in User.objects.order_by("username"):
    client = Client(HTTP_HOST="127.0.0.1")
    signed_in = client.post("/akun/masuk/", {"username": user.username, "password": DEMO_PASSWORD})
    page = client.get("/")
    # every menu entry of the role opens (worklists, reports, lists) on the demo database
    menu = page.context["nav_items"] if page.context and "nav_items" in page.context else []
    broken = [item["url"] for item in menu if client.get(item["url"]).status_code != 200]
    report["pages"][user.username] = {
        "menu_broken": broken,
        "sign_in": signed_in.status_code,
        "status": page.status_code,
        "role_shown": escape(str(user.get_role_display())) in page.content.decode()
        or user.role in ("resident",),
        "active": user.is_active,
    }
admin = Client(HTTP_HOST="127.0.0.1")
admin.post("/akun/masuk/", {"username": "admin", "password": DEMO_PASSWORD})
admin.post("/registri/wilayah/muat-ulang/")
job = Job.objects.order_by("-created_at").first()
operator = Client(HTTP_HOST="127.0.0.1")
operator.post("/akun/masuk/", {"username": "operator.desa", "password": DEMO_PASSWORD})
from dtks.models import Individual  # noqa: E402

someone = (
    Individual.objects.filter(
        household__village__users__username="operator.desa", name__contains=" "
    )
    .order_by("id")
    .first()
)
typo = someone.name[:-1] + ("o" if someone.name[-1] != "o" else "a")
search = operator.get("/registri/", {"q": typo})
report["search"] = {
    "typed": typo,
    "wanted": someone.name,
    "found": "/registri/rumah-tangga/{}/".format(someone.household_id) in search.content.decode(),
}
report["job"] = {"status": job.status if job else None, "result": job.result if job else None}
sys.stdout.write(json.dumps(report) + "\n")
