"""Putting service errors back on the form the user filled in; a quick long select."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from .exceptions import DomainError, NotFound, StaleObjectError


class QuickSelect(forms.Select):
    """A select rendered in Python: the same HTML as Django's template widget, without an
    included template per option. A regency's 60-400 villages made two thirds of the cost of
    the resident's apply form (148 template includes per page)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group, options, _index in widget["optgroups"]:
            rendered = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    ("" if o["value"] is None else o["value"], flatatt(o["attrs"]), o["label"])
                    for o in options
                ),
            )
            if group:
                parts.append(format_html('<optgroup label="{}">{}</optgroup>', group, rendered))
            else:
                parts.append(rendered)
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe("".join(parts)),
        )


def _not_found(exc: Exception) -> None:
    """A scope miss inside a service is a 404 page, as a miss of the page's own lookup is."""
    if isinstance(exc, NotFound):
        from django.http import Http404

        raise Http404(str(exc.message)) from exc


def add_rule_errors(form: forms.Form, rule, *names: str) -> dict | None:
    """Run a service's own input rule (``rule(data)`` raising a ValidationError by field) on
    what was typed in ``names``, and put each problem on its field unless the field has one
    already: every mistake is shown on the first submit, in the words the service would use
    after it. Returns the rule's result, or None when something is wrong."""
    data = {
        name: form.cleaned_data.get(name, form.data.get(form.add_prefix(name), ""))
        for name in names
    }
    try:
        return rule(data)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        for field, messages in exc.message_dict.items():
            if field in form.fields and field not in form.errors:
                for message in messages:
                    form.add_error(field, message)
    return None


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
    from django.db import IntegrityError, transaction
    from django.utils.translation import gettext as _

    form.stale = []
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        with transaction.atomic():
            call(form.cleaned_data)
    except IntegrityError:
        form.add_error(
            None, _("This could not be saved: it exists already. Look at the list first.")
        )
        return False
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


class OnceMixin(forms.Form):
    """A form that creates something carries a signed submission key (silakso.idempotency):
    sent twice, it creates once (``run_once``)."""

    submission_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .idempotency import new_form_key

        if not self.is_bound:
            self.fields["submission_key"].initial = new_form_key()
        self.fields["submission_key"].widget.attrs["data-submission-key"] = "1"


def run_once(
    request,
    form: forms.Form,
    call,
    *,
    redirect_to,
    success: str = "",
    prefix_map: dict | None = None,
):
    """On a valid POST, create once: ``call(cleaned_data)`` (one service) and ``redirect_to(
    result)`` run in one transaction with a receipt under the form's signed key. The same key
    again (a retry, a double tap, an answer lost on the way) gets the first result's page.
    Refusals go back onto the form; a unique constraint becomes a translated message.
    Returns the redirect, or None to draw the form again."""
    from django.contrib import messages
    from django.db import IntegrityError, transaction
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    from core.models import SubmissionReceipt

    from .idempotency import form_scope

    form.stale = []
    if request.method != "POST" or not form.is_valid():
        return None
    key = form_scope(form.cleaned_data.get("submission_key"))
    if key:
        done = SubmissionReceipt.objects.filter(key=key).values_list("url", flat=True).first()
        if done:
            messages.info(request, _("This was already sent; here is what it created."))
            return redirect(done)
    try:
        with transaction.atomic():
            result = call(form.cleaned_data)
            url = redirect_to(result)
            if key:
                SubmissionReceipt.objects.create(key=key, url=url)
    except IntegrityError:
        done = (
            SubmissionReceipt.objects.filter(key=key).values_list("url", flat=True).first()
            if key
            else None
        )
        if done:  # a double tap: the other request created it a moment ago
            messages.info(request, _("This was already sent; here is what it created."))
            return redirect(done)
        form.add_error(
            None, _("This could not be saved: it exists already. Look at the list first.")
        )
        return None
    except StaleObjectError as exc:
        form.stale = (exc.changes or {}).get("events", [])
        form.add_error(None, exc.message)
        return None
    except (ValidationError, DomainError) as exc:
        _not_found(exc)
        add_service_errors(form, exc, prefix_map=prefix_map)
        return None
    if success:
        messages.success(request, str(success(result) if callable(success) else success))
    return redirect(url)
