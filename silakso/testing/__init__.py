"""Shared helpers for the test suite."""

from contextlib import contextmanager


@contextmanager
def broker_at(url: str):
    """Publish to the broker at ``url`` for the duration (a Redis a fault test started)."""
    from silakso import redis_health
    from silakso.celery import app

    real = app.conf.broker_url

    def reset(value):
        app.conf.broker_url = value
        app._pool = None
        app.amqp._producer_pool = None

    reset(url)
    try:
        yield
    finally:
        reset(real)
        redis_health.reset()


def worker_database_url() -> str:
    """The URL of the test database (for a worker process started by a test)."""
    from django.db import connection

    settings = connection.settings_dict
    return "postgres://{}@{}:{}/{}".format(
        settings["USER"] or "postgres",
        settings["HOST"] or "127.0.0.1",
        settings["PORT"] or 5432,
        settings["NAME"],
    )


@contextmanager
def broker_unreachable():
    """Point the Celery producer at a closed port for the duration (Redis "down" for publishing).

    The producer pools are dropped on the way in and out, so publishing really uses the dead
    address and, afterwards, the real broker again; a running test worker is not touched.
    """
    from silakso.celery import app

    real = app.conf.broker_url

    def reset(url):
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    from silakso import redis_health

    reset("redis://127.0.0.1:1/0")
    try:
        yield
    finally:
        reset(real)
        redis_health.reset()  # Redis is "back": the next publish tries it again


class HttpReceiver:
    """A real local HTTP endpoint standing in for a partner's system (outside SILAKSO).

    Records every request (path, headers, body) and answers with the next status code of
    ``answers`` (the last one repeats) and the body ``reply``, after ``delay`` seconds (a slow partner; ``arrived`` is
    set as soon as a request is in). ``url`` is where to send; ``stop()`` shuts it down.
    """

    def __init__(
        self, answers=(200,), delay: float = 0, location: str = "", reply: bytes = b'{"ok": true}'
    ):
        import http.server
        import threading
        import time

        self.requests: list[dict] = []
        self.answers = list(answers)
        self.arrived = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                receiver.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers.items()),
                        "body": self.rfile.read(length),
                    }
                )
                receiver.arrived.set()
                time.sleep(delay)
                code = receiver.answers.pop(0) if len(receiver.answers) > 1 else receiver.answers[0]
                self.send_response(code)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(reply if code < 300 else b'{"error": "busy"}')

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:{}/silakso-hook".format(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def closed_port_url() -> str:
    """An http URL on which nothing listens (a partner's endpoint that is down)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return "http://127.0.0.1:{}/down".format(port)


def open_menu_entry(page, name: str) -> None:
    """Follow the main menu's entry ``name`` as a person would: on a phone the menu is one
    "Menu" button to open first; on a wide screen the entries are in view."""
    menu = page.get_by_role("navigation").locator("details.phone-menu")
    if menu.is_visible() and menu.get_attribute("open") is None:
        menu.locator("summary").click()
    page.get_by_role("navigation").get_by_role("link", name=name, exact=True).click()


AXE_SCRIPT = "tests/vendor/axe-core-4.14.1/axe.min.js"
AXE_RUN = """async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa']}))
  .violations.map(v => v.id + ': ' + v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(' | '))"""


def phone_context(browser, live_server):
    """A 360 × 740 touch phone in Indonesian pointed at the live server; the CSP is bypassed
    only so that axe-core can be injected (``page_problems``)."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="id-ID",
        base_url=live_server.url,
        bypass_csp=True,
    )
    context.set_default_timeout(15000)
    return context


def page_problems(page, width: int = 360) -> list[str]:
    """axe-core's WCAG 2.1 AA violations on the page as it stands, and a page wider than the
    phone, as "url: problem" lines."""
    from django.conf import settings

    page.add_script_tag(path=str(settings.BASE_DIR / AXE_SCRIPT))
    found = page.evaluate(AXE_RUN)
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > width:
        found.append("{} px wide".format(wide))
    return ["{}: {}".format(page.url, problem) for problem in found]
