from django.db import migrations


def create_default(apps, schema_editor):
    from dtks.pmt import DEFAULT_WEIGHTS

    PmtWeightSet = apps.get_model("dtks", "PmtWeightSet")
    if not PmtWeightSet.objects.exists():
        PmtWeightSet.objects.create(
            version=1,
            name="SILAKSO default (uncalibrated)",
            notes="Starting weights with sensible signs; calibrate them for your district.",
            intercept=0.0,
            weights=DEFAULT_WEIGHTS,
            is_active=True,
        )


class Migration(migrations.Migration):
    dependencies = [("dtks", "0008_pmt_weights_and_runs")]

    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
