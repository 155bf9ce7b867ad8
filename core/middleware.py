"""Request context for the audit trail and logs, and the two-factor gate for staff."""

import contextvars
import logging
import re
import uuid

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


def current_request_id() -> str:
    return _request_id.get()


def current_client_ip() -> str | None:
    return _client_ip.get()


class RequestIdLogFilter(logging.Filter):
    """Adds the request id to every log line, so a log and an audit row can be matched."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get() or "-"
        return True


def _address(text: str):
    import ipaddress

    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address) -> bool:
    """Whether ``address`` is one of our reverse proxies (SILAKSO_TRUSTED_PROXIES)."""
    import ipaddress

    for network in getattr(settings, "SILAKSO_TRUSTED_PROXIES", ()):
        try:
            if address in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_ip(peer: str | None, forwarded: str) -> str | None:
    """The address of the person at the other end, for limits and the audit trail.

    Without ``SILAKSO_TRUST_X_FORWARDED_FOR`` it is the peer: X-Forwarded-For is whatever the
    client typed. Behind our proxies it is the right-most address of X-Forwarded-For that is not
    one of them: each proxy appends the address it saw, so the addresses to the left of the
    first untrusted one may be invented by the client and are never taken. With the setting on
    and no list, the peer itself is the one trusted proxy.
    """
    if not getattr(settings, "SILAKSO_TRUST_X_FORWARDED_FOR", False) or not peer:
        return peer
    peer_address = _address(peer)
    proxies = getattr(settings, "SILAKSO_TRUSTED_PROXIES", ())
    if peer_address is None or (proxies and not _trusted(peer_address)):
        return peer  # not sent by our proxy: its header means nothing
    chain = [part for part in forwarded.split(",") if part.strip()]
    for part in reversed(chain):
        address = _address(part)
        if address is None:
            break  # garbage in the header: stop at what our proxies vouched for
        if not proxies or not _trusted(address):
            return str(address)
    return peer


#: Paths that take a whole file (registry extract, recipient list): their own, larger limit.
_LARGE_UPLOAD_PATHS = ("/registri/impor/", "/registri/program/periode/")


def _refuse_large_body(request):
    """Refuse a request body over the limit before anything reads it (413): 32 MB for every
    form (a few 10 MB photos), SILAKSO_IMPORT_MAX_BYTES for the two whole-file imports. The
    proxy refuses the same sizes (deploy/nginx); this holds without it too."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = getattr(settings, "SILAKSO_MAX_REQUEST_BYTES", 32 * 1024 * 1024)
    if request.path.startswith(_LARGE_UPLOAD_PATHS):
        limit = getattr(settings, "SILAKSO_IMPORT_MAX_BYTES", 2 * 1024**3)
    if length <= limit:
        return None
    from django.http import HttpResponse, JsonResponse
    from django.utils.translation import gettext as _

    message = _("What you sent is too large (at most {size} MB).").format(size=limit // 1024**2)
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "too_large", "detail": message}, status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


def _refuse_nul(request):
    """A NUL character in the address's parameters is never text anyone typed (PostgreSQL
    refuses it in any string): 400 with a sentence, not an error page."""
    if "%00" not in request.META.get("QUERY_STRING", ""):
        return None
    if not any("\x00" in key or "\x00" in value for key, value in request.GET.items()):
        return None
    from django.http import HttpResponseBadRequest, JsonResponse
    from django.utils.translation import gettext as _

    message = _("The address contains a character that is not allowed. Type the search again.")
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "invalid", "detail": message}, status=400)
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


class RequestContextMiddleware:
    """Give each request an id (or keep a sane X-Request-ID from the proxy) and note the IP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        ip = client_ip(request.META.get("REMOTE_ADDR"), request.headers.get("X-Forwarded-For", ""))
        request.request_id = request_id
        request.client_ip = ip
        id_token = _request_id.set(request_id)
        ip_token = _client_ip.set(ip)
        try:
            refused = _refuse_large_body(request) or _refuse_nul(request)
            response = refused if refused is not None else self.get_response(request)
        finally:
            _request_id.reset(id_token)
            _client_ip.reset(ip_token)
        response["X-Request-ID"] = request_id
        return response

    def process_exception(self, request, exception):
        """A page refused for too many tries (``Throttled`` from a service): 429, in words."""
        from django.shortcuts import render

        from silakso.exceptions import Throttled

        if isinstance(exception, Throttled):
            response = render(request, "429.html", {"message": exception.message}, status=429)
            response["Retry-After"] = str(exception.retry_after)
            return response
        return None


# Paths a signed-in staff member may open before passing the second factor.
_OPEN_PREFIXES = ("/akun/2fa/", "/akun/keluar/", "/i18n/", "/static/", "/healthz", "/favicon")


class TwoFactorRequiredMiddleware:
    """Staff (every role above resident) must pass a TOTP code before anything else.

    Token-authenticated API clients never reach this as a session user; their token is the
    credential an administrator issued to one machine.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.SILAKSO_REQUIRE_2FA
            and user is not None
            and user.is_authenticated
            and user.needs_two_factor
            and not user.is_verified()
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "code": "two_factor_required",
                        "detail": _("Sign in with your authenticator code first."),
                    },
                    status=403,
                )
            return redirect("core:two_factor")
        return self.get_response(request)


# The site's own pages run only its own scripts and styles (no inline code: static/js/*.js).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Django's admin and the API explorers ship inline scripts of their own.
_LOOSER_CSP_PREFIXES = ("/admin/", "/api/docs/", "/api/redoc/")
LOOSER_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = (
    "geolocation=(self), camera=(self), microphone=(), payment=(), usb=(), "
    "serial=(), bluetooth=(), interest-cohort=()"
)


class SecurityHeadersMiddleware:
    """Headers every answer carries: a Content-Security-Policy (an answer that set its own,
    such as an uploaded file's ``sandbox``, keeps it), a Permissions-Policy that lets only the
    location and the camera be asked for, and ``Cache-Control: no-store`` on every page built
    for the request (personal data must not stay in a shared computer's cache or a proxy)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            looser = request.path.startswith(_LOOSER_CSP_PREFIXES)
            response["Content-Security-Policy"] = (
                LOOSER_CONTENT_SECURITY_POLICY if looser else CONTENT_SECURITY_POLICY
            )
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not request.path.startswith("/static/") and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store, private"
        return response
