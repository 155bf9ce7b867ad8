"""manage.py grant_app_role <role> — the database role the running application signs in as.

Run it as the owner of SILAKSO's tables (the role that runs ``migrate``), after every
``migrate``. The application role it prepares can read and write rows, and nothing more:

- ``SELECT, INSERT, UPDATE, DELETE`` on the tables, ``USAGE, SELECT`` on the sequences;
- on the audit trail only ``SELECT, INSERT`` (the triggers refuse the rest even to the owner);
- no ``TRUNCATE``, no DDL on the application's tables, no way to disable a trigger (only an owner
  can), no ``CREATE`` in ``public``;
- its own schema (``silakso_work``) first on its search path, where the importer's staging
  tables are created and dropped.

With ``--password-env NAME`` a missing role is created with the password in that environment
variable (the Docker Compose ``migrate`` service does this); otherwise the role must exist.
See docs/production.md, "Database roles".
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

WORK_SCHEMA = "silakso_work"
AUDIT_TABLE = "core_auditevent"


class Command(BaseCommand):
    help = "Grant the application's database role row access only (run as the tables' owner)."

    def add_arguments(self, parser):
        parser.add_argument("role")
        parser.add_argument(
            "--password-env",
            default="",
            help="create the role if missing, with the password in this environment variable",
        )

    def handle(self, *args, role, password_env, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles exist only on PostgreSQL.")
        with connection.cursor() as cursor:
            quoted = connection.ops.quote_name(role)
            cursor.execute("SELECT current_user")
            owner = cursor.fetchone()[0]
            if owner == role:
                raise CommandError("Run this as the tables' owner, not as {} itself.".format(role))
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                password = os.environ.get(password_env, "") if password_env else ""
                if not password:
                    raise CommandError(
                        "No role {} (create it, or give --password-env with its password).".format(
                            role
                        )
                    )
                cursor.execute(
                    "CREATE ROLE {} LOGIN PASSWORD %s NOSUPERUSER NOCREATEDB NOCREATEROLE".format(
                        quoted
                    ),
                    [password],
                )
            database = connection.ops.quote_name(connection.settings_dict["NAME"])
            work = connection.ops.quote_name(WORK_SCHEMA)
            statements = [
                "GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {r}",
                "REVOKE CREATE ON SCHEMA public FROM {r}",
                "GRANT USAGE ON SCHEMA public TO {r}",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}",
                "REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {r}",
                "REVOKE UPDATE, DELETE ON {audit} FROM {r}",
                "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}",
                # tables of later migrations (run by the owner) are covered the same way
                "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
                "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}",
                "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
                "GRANT USAGE, SELECT ON SEQUENCES TO {r}",
                "CREATE SCHEMA IF NOT EXISTS {work} AUTHORIZATION {r}",
                "ALTER ROLE {r} IN DATABASE {db} SET search_path = {work}, public",
            ]
            for statement in statements:
                cursor.execute(
                    statement.format(
                        db=database,
                        r=quoted,
                        audit=connection.ops.quote_name(AUDIT_TABLE),
                        owner=connection.ops.quote_name(owner),
                        work=work,
                    )
                )
        self.stdout.write(
            "{} can now read and write SILAKSO's rows (not truncate, alter or disable triggers)."
            "".format(role)
        )
