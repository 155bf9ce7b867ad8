"""Slow uploads reach SILAKSO through its reverse proxy (deploy/nginx), and would not without it.

A real gunicorn (one sync worker, a short timeout) serves the test database; a real nginx from
Debian runs the production proxy configuration in front of it. An 8 MB upload sent slowly
straight to gunicorn outlives the worker's timeout and fails; through nginx it is stored.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from complaints.models import Complaint
from silakso.testing import worker_database_url
from silakso.testing.processes import ROOT, free_port, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

GUNICORN_TIMEOUT = 2  # seconds a sync worker may spend on one request
UPLOAD_BYTES = 8 * 1024 * 1024
UPLOAD_SECONDS = 5  # the body trickles in over this long: more than the worker's timeout


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def gunicorn(regions, tmp_path):
    port = free_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "silakso.settings.test",
        "DATABASE_URL": worker_database_url(),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "silakso.wsgi", "--bind",
         "127.0.0.1:{}".format(port), "--workers", "1", "--timeout", str(GUNICORN_TIMEOUT)],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_until(lambda: _listening(port), 30, what="gunicorn")
    yield port
    process.terminate()
    process.wait(10)


@pytest.fixture
def nginx(gunicorn, tmp_path):
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        pytest.fail("nginx is needed for this test: `make test` installs Debian's nginx-light")
    port = free_port()
    server = (
        (ROOT / "deploy" / "nginx" / "silakso.conf.template")
        .read_text()
        .replace("${SILAKSO_UPSTREAM}", "127.0.0.1:{}".format(gunicorn))
        .replace("${SILAKSO_LISTEN}", "127.0.0.1:{}".format(port))
    )
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    (prefix / "nginx.conf").write_text(
        "user root;\nworker_processes 1;\npid {p}/nginx.pid;\nerror_log {p}/error.log;\n"
        "events {{ worker_connections 64; }}\nhttp {{\n  access_log off;\n"
        "  client_body_temp_path {p}/body;\n  proxy_temp_path {p}/proxy;\n"
        "  fastcgi_temp_path {p}/fcgi;\n  uwsgi_temp_path {p}/uwsgi;\n  scgi_temp_path {p}/scgi;\n"
        "{server}\n}}\n".format(p=prefix, server=server)
    )
    process = subprocess.Popen(
        [binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_until(lambda: _listening(port), 10, what="nginx")
    yield port
    process.terminate()
    process.wait(10)


def _request(port: int, raw: bytes, *, pace_seconds: float = 0) -> bytes:
    """Send ``raw`` (a whole HTTP request), trickled over ``pace_seconds``; the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as connection:
        if pace_seconds:
            pieces = 50
            size = len(raw) // pieces + 1
            for start in range(0, len(raw), size):
                try:
                    connection.sendall(raw[start : start + size])
                except OSError:
                    break  # the server gave up on us
                time.sleep(pace_seconds / pieces)
        else:
            connection.sendall(raw)
        answer = b""
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except OSError:
            pass
    return answer


def _form(port: int) -> tuple[str, str, str]:
    """GET the complaint form: its CSRF cookie and token, and its signed submission key."""
    answer = _request(
        port, b"GET /pengaduan/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    ).decode("utf-8", "replace")
    cookie = re.search(r"csrftoken=([^;]+)", answer).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer).group(1)
    key = re.search(r'name="submission_key" value="([^"]+)"', answer).group(1)
    return cookie, token, key


def _upload(port: int, village: str, *, pace_seconds: float) -> bytes:
    cookie, token, key = _form(port)
    boundary = uuid.uuid4().hex
    fields = {
        "csrfmiddlewaretoken": token,
        "submission_key": key,
        "category": "misuse",
        "anonymous": "on",
        "village": village,
        "description": "Kader menyimpan kartu KKS warga; bukti terlampir.",
    }
    body = b"".join(
        '--{}\r\nContent-Disposition: form-data; name="{}"\r\n\r\n{}\r\n'.format(
            boundary, name, value
        ).encode()
        for name, value in fields.items()
    )
    evidence = b"%PDF-1.4\n" + os.urandom(UPLOAD_BYTES)
    body += (
        '--{}\r\nContent-Disposition: form-data; name="attachment_0"; filename="bukti.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n".format(boundary).encode()
        + evidence
        + "\r\n--{}--\r\n".format(boundary).encode()
    )
    head = (
        "POST /pengaduan/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        "Cookie: csrftoken={}\r\nContent-Type: multipart/form-data; boundary={}\r\n"
        "Content-Length: {}\r\n\r\n".format(cookie, boundary, len(body))
    ).encode()
    return _request(port, head + body, pace_seconds=pace_seconds)


def test_a_slow_8_mb_upload_fails_straight_to_gunicorn_and_succeeds_through_nginx(
    gunicorn, nginx, village_a
):
    # straight to gunicorn: the worker reads the body itself and is killed by its timeout
    direct = _upload(gunicorn, village_a.code, pace_seconds=UPLOAD_SECONDS)
    assert not direct.startswith(b"HTTP/1.1 302"), direct[:200]
    assert Complaint.objects.count() == 0
    # through the production proxy: nginx buffers the body, gunicorn gets it in one piece
    proxied = _upload(nginx, village_a.code, pace_seconds=UPLOAD_SECONDS)
    assert proxied.startswith(b"HTTP/1.1 302"), proxied[:300]
    complaint = Complaint.objects.get()
    assert complaint.attachments.get().size > UPLOAD_BYTES
