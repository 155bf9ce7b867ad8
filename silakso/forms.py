"""Putting service errors back on the form the user filled in; a quick long select."""

from html import escape as _html_escape

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import SafeString, mark_safe

from .exceptions import DomainError, NotFound, StaleObjectError


def https_urls(field, **kwargs):
    """A model form's ``formfield_callback``: a web address typed without its scheme is read
    as https (Django 6's default; a partner's system is reached over HTTPS only)."""
    from django.db import models

    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class QuickSelect(forms.Select):
    """A select rendered in Python: the same HTML as Django's template widget, without an
    included template per option. A regency's 60-400 villages made two thirds of the cost of
    the resident's apply form (148 template includes per page)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        # the options straight from the choices, escaped with the standard library: Django's
        # option dicts and lazy-aware escaping cost more than the page's query
        selected = set(self.format_value(value))
        found = False

        def options(choices) -> str:
            nonlocal found
            out = []
            for option_value, label in choices:
                option_value = "" if option_value is None else str(option_value)
                chosen = (not found or self.allow_multiple_selected) and option_value in selected
                found = found or chosen
                out.append(
                    '<option value="{}"{}>{}</option>'.format(
                        _escape(option_value), " selected" if chosen else "", _escape(label)
                    )
                )
            return "".join(out)

        parts = []
        for group, choices in self.choices:
            if isinstance(choices, list | tuple):
                parts.append(
                    '<optgroup label="{}">{}</optgroup>'.format(_escape(group), options(choices))
                )
            else:
                parts.append(options([(group, choices)]))
        final = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final["multiple"] = True
        return mark_safe(
            '<select name="{}"{}>{}</select>'.format(_escape(name), _attrs(final), "".join(parts))
        )


def _escape(text) -> str:
    """Django's conditional_escape for plain text, at the standard library's speed."""
    from django.utils.safestring import SafeData

    return str(text) if isinstance(text, SafeData) else _html_escape(str(text), quote=True)


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


# ---------------------------------------------------------------------------- form renderer
def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html in Python: ``True`` bare, ``False`` left out."""
    return "".join(
        " {}".format(_escape(name))
        if value is True
        else ' {}="{}"'.format(_escape(name), _escape(value))
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = widget["value"]
    return '<input type="{}" name="{}"{}{}>'.format(
        _escape(widget["type"]),
        _escape(widget["name"]),
        "" if value is None else ' value="{}"'.format(_escape(value)),
        _attrs(widget["attrs"]),
    )


def _textarea(widget: dict) -> str:
    return '<textarea name="{}"{}>\n{}</textarea>'.format(
        _escape(widget["name"]),
        _attrs(widget["attrs"]),
        _escape(widget["value"]) if widget["value"] else "",
    )


def _clearable(widget: dict) -> str | None:
    if widget.get("is_initial"):
        return None  # a stored file with its link and "clear" box: Django's own template
    return '<input type="{}" name="{}"{}>'.format(
        _escape(widget["type"]),
        _escape(widget["name"]),
        _attrs(widget["attrs"]),
    )


_INPUTS = ("text", "email", "number", "password", "hidden", "date", "url", "search", "file")
_FAST = {
    **{"django/forms/widgets/{}.html".format(kind): _input for kind in _INPUTS},
    "django/forms/widgets/checkbox.html": _input,
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/clearable_file_input.html": _clearable,
}


class FastRenderer(DjangoTemplates):
    """Django's form renderer, with the plain widgets (inputs, text areas, an empty file
    input) written in Python: the same HTML without two template includes per field. Every
    field of the resident's apply form went through them (a third of the page's time)."""

    def render(self, template_name, context, request=None):
        fast = _FAST.get(template_name)
        if fast is not None and "widget" in context:
            html = fast(context["widget"])
            if html is not None:
                return mark_safe(html)
        return super().render(template_name, context, request)
