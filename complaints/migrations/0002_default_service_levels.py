"""Service levels to start from: the defaults for every category, health and misuse faster.
Administrators change them in the admin site."""

from django.db import migrations

DEFAULT = {"received": 72, "forwarded": 48, "in_review": 72, "in_follow_up": 240, "resolved": 48}
FASTER = {
    "health": {"received": 24, "forwarded": 24, "in_review": 48, "in_follow_up": 120},
    "misuse": {"in_review": 48, "in_follow_up": 168},
}
CATEGORIES = ["health", "education", "social_aid", "housing", "data_correction", "misuse", "other"]


def create(apps, schema_editor):
    SlaRule = apps.get_model("complaints", "SlaRule")
    for category in CATEGORIES:
        for status, hours in DEFAULT.items():
            SlaRule.objects.get_or_create(
                category=category,
                status=status,
                defaults={"hours": FASTER.get(category, {}).get(status, hours)},
            )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
