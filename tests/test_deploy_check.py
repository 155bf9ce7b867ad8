"""Production settings pass Django's deploy checklist; bad settings fail with one clear line."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(**overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="silakso.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="silakso.example.go.id",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def _run(args, env):
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_missing_secret_key_fails_with_one_clear_line():
    result = _run(["manage.py", "check"], _env(DJANGO_SECRET_KEY=None))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "SILAKSO cannot start: configuration error: Missing required environment variable(s): "
        "DJANGO_SECRET_KEY. See .env.example."
    ]


def test_weak_secret_key_is_refused():
    result = _run(["manage.py", "check"], _env(DJANGO_SECRET_KEY="short"))
    assert result.returncode == 1
    assert "DJANGO_SECRET_KEY is too weak" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_fails_with_one_clear_line():
    env = _env(DATABASE_URL="postgres://postgres@127.0.0.1:1/silakso")
    for args in (["manage.py", "migrate", "--noinput"], ["-c", "import silakso.wsgi"]):
        result = _run(args, env)
        assert result.returncode == 1, args
        assert "Traceback" not in result.stderr
        lines = [line for line in result.stderr.splitlines() if "SILAKSO" in line]
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("SILAKSO cannot start: database unreachable:")
        assert "DATABASE_URL" in lines[0]
