"""Putting service errors back on the form the user filled in."""

from django import forms
from django.core.exceptions import ValidationError

from .exceptions import DomainError, NotFound, StaleObjectError


def _not_found(exc: Exception) -> None:
    """A scope miss inside a service is a 404 page, as a miss of the page's own lookup is."""
    if isinstance(exc, NotFound):
        from django.http import Http404

        raise Http404(str(exc.message)) from exc


def add_service_errors(form: forms.Form, exc: Exception, *, prefix_map: dict | None = None) -> None:
    """Attach a ValidationError / DomainError raised by a service to the fields it names."""
    prefix_map = prefix_map or {}
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                name = prefix_map.get(field, field)
                target = name if name in form.fields else None
                for message in errors:
                    form.add_error(target, message)
        else:
            for message in exc.messages:
                form.add_error(None, message)
        return
    if isinstance(exc, DomainError):
        placed = False
        for field, message in exc.fields.items():
            name = prefix_map.get(field, field)
            if name in form.fields:
                form.add_error(name, message or exc.message)
                placed = True
        if not placed or not exc.fields:
            form.add_error(None, exc.message)
        return
    raise exc


def run_form_service(
    request, form: forms.Form, call, *, success: str = "", prefix_map: dict | None = None
) -> bool:
    """On a valid POST, call ``call(cleaned_data)`` (one service); its refusals go back onto the
    form (a stale version also lists what the other officer changed, as ``form.stale``, and the
    form moves to the current version so that a deliberate second save goes through). True
    when the service succeeded and the view should redirect."""
    from django.contrib import messages

    form.stale = []
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except StaleObjectError as exc:
        form.stale = (exc.changes or {}).get("events", [])
        form.add_error(None, exc.message)
        if "version" in form.fields and exc.current_version is not None:
            form.data = form.data.copy()
            form.data[form.add_prefix("version")] = exc.current_version
        return False
    except (ValidationError, DomainError) as exc:
        _not_found(exc)
        add_service_errors(form, exc, prefix_map=prefix_map)
        return False
    if success:
        messages.success(request, success)
    return True


def run_service_action(request, call, *, success: str = ""):
    """A POST-only step (a button): call the service; a refusal becomes an error message.

    Returns what the service returned, or None when it refused.
    """
    from django.contrib import messages

    try:
        result = call()
    except (ValidationError, DomainError) as exc:
        _not_found(exc)
        texts = exc.messages if isinstance(exc, ValidationError) else [str(exc.message)]
        for text in texts:
            messages.error(request, text)
        return None
    if success:
        messages.success(request, success)
    return result
