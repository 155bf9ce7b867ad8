import core.models
from django.db import migrations


def superusers_are_system_admins(apps, schema_editor):
    """Superusers made by `createsuperuser` before this release carry the default role
    (resident); they are system administrators, and as staff they now need a second factor."""
    User = apps.get_model("core", "User")
    User.objects.filter(is_superuser=True, role="resident").update(role="system_admin", region=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_submission_receipts")]

    operations = [
        migrations.AlterModelManagers(
            name="user",
            managers=[("objects", core.models.SilaksoUserManager())],
        ),
        migrations.RunPython(superusers_are_system_admins, migrations.RunPython.noop),
    ]
