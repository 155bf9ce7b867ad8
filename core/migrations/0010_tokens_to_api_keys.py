import hashlib

from django.db import migrations

#: core.apikeys.LEGACY_SCOPES at the time of this migration (no registry writes, no full NIKs).
LEGACY_SCOPES = [
    "applications:intake",
    "applications:read",
    "complaints:intake",
    "complaints:read",
    "provider",
    "referrals:read",
    "registry:read",
]


def forwards(apps, schema_editor):
    """Each API client's DRF token becomes a key with the same value (partners keep working),
    stored only as its hash, with the scopes of what such a token was meant for."""
    Token = apps.get_model("authtoken", "Token")
    ApiKey = apps.get_model("core", "ApiKey")
    for token in Token.objects.select_related("user"):
        user = token.user
        if user.role == "api_client" and not user.is_staff and not user.is_superuser:
            ApiKey.objects.get_or_create(
                key_hash=hashlib.sha256(token.key.encode()).hexdigest(),
                defaults={
                    "client": user,
                    "name": "Token (before API keys)",
                    "prefix": token.key[:8],
                    "scopes": LEGACY_SCOPES,
                },
            )
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0009_api_keys"), ("authtoken", "0004_alter_tokenproxy_options")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
