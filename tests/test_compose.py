"""docker-compose.yml describes the full stack and `docker compose config` accepts it."""

import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _compose_command():
    if shutil.which("docker"):
        probe = subprocess.run(
            ["docker", "compose", "version"], capture_output=True, text=True, check=False
        )
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    raise AssertionError(
        "neither `docker compose` nor `docker-compose` is installed (make test installs it)"
    )


def test_compose_file_is_valid_and_runs_the_whole_stack(tmp_path):
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    env = (
        (ROOT / ".env.example")
        .read_text()
        .replace("POSTGRES_PASSWORD=", "POSTGRES_PASSWORD=pw", 1)
        .replace("SILAKSO_APP_DB_PASSWORD=", "SILAKSO_APP_DB_PASSWORD=app", 1)
    )
    (tmp_path / ".env").write_text(env)
    (tmp_path / "Dockerfile").write_text((ROOT / "Dockerfile").read_text())
    result = subprocess.run(
        [*_compose_command(), "config"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    services = config["services"]
    assert {"postgres", "redis", "web", "worker", "beat", "migrate"} <= set(services)
    # the web service runs the image's default command: gunicorn
    assert "command" not in services["web"]
    assert '["gunicorn", "silakso.wsgi"' in (ROOT / "Dockerfile").read_text()
    assert "worker" in " ".join(services["worker"]["command"])
    # a pool per queue: hours of batch work never hold up a resident's message
    assert "--queues=interactive" in services["worker"]["command"]
    assert "--queues=batch" in services["worker-batch"]["command"]
    assert "beat" in " ".join(services["beat"]["command"])
    assert services["web"]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    # slow uploads are buffered by the proxy; the app reaches PostgreSQL through PgBouncer
    assert {"proxy", "pgbouncer"} <= set(services)
    assert "@pgbouncer:" in services["web"]["environment"]["DATABASE_URL"]
    # the running application is not the tables' owner; migrations are, and grant it rows only
    assert services["web"]["environment"]["DATABASE_URL"].startswith("postgres://silakso_app:")
    assert "grant_app_role silakso_app" in " ".join(services["migrate"]["command"])
    assert "ports" not in services["web"]
    assert any("silakso.conf.template" in str(v) for v in services["proxy"]["volumes"])
