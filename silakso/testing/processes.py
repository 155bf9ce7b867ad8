"""Real processes the fault tests start, break and stop themselves: a Redis of their own on a
free port, a Celery worker (and beat) consuming from it against the test database.

Nothing here touches the machine's shared services: the Redis is a new ``redis-server``, the
worker a new process, and the database faults terminate only the connections of that worker
(found by its ``application_name``).
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKER_APP_NAME = "silakso-fault-worker"
# What the Makefile and docker-compose run too: no gossip, mingle or broker heartbeat, the
# parts of a worker that talk to Redis besides the queue and are the first to break on a
# Redis restart.
WORKER_FLAGS = ("--without-gossip", "--without-mingle", "--without-heartbeat")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, seconds: float = 30, step: float = 0.1, what: str = "condition"):
    """Poll ``predicate`` until it returns something true; AssertionError after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("{} not reached in {} s".format(what, seconds))


class RedisServer:
    """A redis-server of the test's own (no persistence, like the machine's)."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return "redis://127.0.0.1:{}/0".format(self.port)

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.ping, 10, what="redis on {}".format(self.port))
        return self

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=0.5).ping())
        except Exception:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def pause(self) -> None:
        """SIGSTOP: the port still accepts connections but nothing answers (a hung Redis)."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


class WorkerProcess:
    """``celery -A silakso worker`` (prefork, one child) on ``broker``, against the test
    database, with a short job lease so that faults recover within seconds."""

    def __init__(
        self,
        broker: str,
        database_url: str,
        *,
        beat: bool = False,
        lease: int = 3,
        queues: str = "",
    ):
        self.broker, self.database_url, self.beat, self.lease = broker, database_url, beat, lease
        self.queues = queues  # "" takes every queue, as `make worker` does
        self.process: subprocess.Popen | None = None
        self.log = Path("/tmp") / "silakso-fault-worker-{}.log".format(os.getpid())  # noqa: S108

    def environment(self) -> dict:
        separator = "&" if "?" in self.database_url else "?"
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "silakso.settings.test",
            "DATABASE_URL": "{}{}application_name={}".format(
                self.database_url, separator, WORKER_APP_NAME
            ),
            "TEST_REDIS_URL": self.broker,
            "SILAKSO_JOB_LEASE_SECONDS": str(self.lease),
            "SILAKSO_JOB_SWEEP_SECONDS": "2",
            "PYTHONUNBUFFERED": "1",
        }

    def start(self) -> "WorkerProcess":
        command = [
            str(Path(sys.executable).parent / "celery"), "-A", "silakso", "worker",
            "--pool=prefork", "--concurrency=1", "--loglevel=INFO",
            *WORKER_FLAGS,
            "--hostname", "fault-{}@%h".format(free_port()),
        ]  # fmt: skip
        if self.queues:
            command += ["--queues", self.queues]
        if self.beat:
            command += ["--beat", "--schedule", "/tmp/silakso-fault-beat-{}".format(os.getpid())]  # noqa: S108
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.environment(), stdout=log, stderr=subprocess.STDOUT
            )
        wait_until(lambda: b"ready." in self.log.read_bytes(), 60, what="worker ready")
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def children(self) -> list[int]:
        path = Path("/proc/{0}/task/{0}/children".format(self.process.pid))
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def kill_pool_process(self) -> int:
        """SIGKILL the child running the task (the out-of-memory killer's way)."""
        child = wait_until(self.children, 10, what="a pool process")[0]
        os.kill(child, signal.SIGKILL)
        return child

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and children): a machine that lost power."""
        for child in self.children():
            os.kill(child, signal.SIGKILL)
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        if self.alive():
            for child in self.children():
                os.kill(child, signal.SIGTERM)
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def terminate_worker_connections() -> int:
    """End every database session of the fault worker (PostgreSQL restarted under it)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s AND pid <> pg_backend_pid()",
            [WORKER_APP_NAME],
        )
        return cursor.fetchone()[0]


POSTGRES_BIN = Path(os.environ.get("SILAKSO_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))


class PostgresPair:
    """A PostgreSQL primary and its streaming replica (``pg_basebackup -R``), each a cluster of
    the test's own on a free port in a temporary directory, stopped and removed afterwards.
    The machine's own server is never touched."""

    def __init__(self):
        import tempfile

        self.root = Path(tempfile.mkdtemp(prefix="silakso-pg-"))
        self.primary_port, self.replica_port = free_port(), free_port()
        self.user = "postgres" if os.geteuid() == 0 else None  # initdb refuses to run as root
        if self.user:
            import shutil

            shutil.chown(self.root, user=self.user)

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        subprocess.run(
            [*prefix, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def url(self, database: str, *, replica: bool = False) -> str:
        port = self.replica_port if replica else self.primary_port
        return "postgres://postgres@127.0.0.1:{}/{}".format(port, database)

    def start(self) -> "PostgresPair":
        primary, replica = self.root / "primary", self.root / "replica"
        self._run(
            str(POSTGRES_BIN / "initdb"), "-D", str(primary), "-U", "postgres",
            "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(
                "port = {}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\n"
                "wal_level = replica\nmax_wal_senders = 4\nfsync = off\n"
                "shared_buffers = 32MB\n".format(self.primary_port, self.root)
            )
        with (primary / "pg_hba.conf").open("a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        self._ctl(primary, "start")
        self._run(
            str(POSTGRES_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.primary_port),
            "-U", "postgres", "-D", str(replica), "-R", "-X", "stream",
        )  # fmt: skip
        with (replica / "postgresql.conf").open("a") as conf:
            conf.write("port = {}\nhot_standby = on\n".format(self.replica_port))
        self._ctl(replica, "start")
        return self

    def _ctl(self, data: Path, action: str) -> None:
        extra = ["-m", "immediate"] if action == "stop" else []
        self._run(
            str(POSTGRES_BIN / "pg_ctl"), "-D", str(data), "-l", str(data.parent / (data.name + ".log")),
            "-w", *extra, action,
        )  # fmt: skip

    def stop(self) -> None:
        import shutil

        for name in ("replica", "primary"):
            if (self.root / name / "postmaster.pid").exists():
                with contextlib.suppress(subprocess.CalledProcessError):
                    self._ctl(self.root / name, "stop")
        shutil.rmtree(self.root, ignore_errors=True)
