"""The field app's server side: what a village operator's phone keeps for working offline, and
the items it sends back from its outbox (``templates/core/field_app.html``, ``static/js/field.js``).

Apps declare what works offline in their ``navigation`` module:

* ``field_flows()`` → a list of :class:`FieldFlow`: a workflow whose steps can be recorded
  offline, the scoped selector that finds its object, and how the phone keeps that object;
* ``field_data(user)`` → ``{name: [rows]}`` merged into what the phone keeps (the households of
  the operator's village, the open campaign visits).

An item is (flow, object, step, the step form's fields, a photo, the object's version). It is
recorded exactly as the step's page records it (``silakso.steps``): the step's form checks it,
the step's service writes it, a refusal comes back translated and per field, a change made
meanwhile on the server comes back as a conflict with the server's version. An accepted item is
stored under the phone's key, with its answer, in the same transaction: sent twice (an answer
lost on a bad line, the phone closed mid-sync), it is recorded once.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from silakso.exceptions import Conflict, DomainError, Forbidden, InvalidTransition, StaleObjectError

from .choices import Role
from .extensions import collect
from .models import FieldSubmission

#: Who uses the field app: the village's operators and facilitators.
USERS = frozenset({Role.VILLAGE_OPERATOR})
#: The most households a phone keeps (a village has 200–3,000).
MAX_HOUSEHOLDS = 5000


@dataclass(frozen=True)
class FieldFlow:
    """Steps of a workflow on objects the phone keeps (``workflow``, ``fetch``, ``keep``,
    ``steps``), or a record the field creates (``form``, ``create``: a complaint taken from a
    resident); ``defaults`` are the starting values of the phone's forms."""

    name: str
    workflow: Any = field(default=None, compare=False)
    fetch: Callable | None = field(default=None, compare=False)  # fetch(user=, pk=), in scope
    keep: Callable | None = field(default=None, compare=False)  # keep(obj) → as the phone keeps it
    steps: tuple[str, ...] = ()  # the step codes offered offline
    defaults: dict = field(default_factory=dict, compare=False)
    form: Callable | None = field(default=None, compare=False)  # form(user, data=, files=)
    create: Callable | None = field(default=None, compare=False)  # create(form, user) → message
    label: str = ""
    allowed: Callable | None = field(default=None, compare=False)  # allowed(user) → bool

    @property
    def creates(self) -> bool:
        return self.create is not None


def texts() -> dict[str, str]:
    """The field app's words, translated here once (the app draws its pages offline)."""
    return {
        "online": _("Online."),
        "offline": _(
            "No network: what you record is kept on this phone and sent when the network returns."
        ),
        "kept": _("{n} households of your area are kept on this phone (refreshed {when})."),
        "no_data": _("Open the app once with a network to keep your area's data on this phone."),
        "search": _("Find a household (name or address)"),
        "members": _("Members"),
        "flags": _("Data problems"),
        "record": _("Record"),
        "back": _("← Back"),
        "choose": _("Choose…"),
        "required": _("Fill in this field."),
        "save": _("Keep in the outbox"),
        "saved": _("Kept in the outbox. It is sent when there is a network."),
        "outbox_empty": _("Nothing waiting to be sent."),
        "waiting": _("Waiting to be sent"),
        "sending": _("Sending…"),
        "accepted": _("Accepted"),
        "refused": _("Refused"),
        "conflict": _("Changed on the server meanwhile"),
        "edit": _("Correct and send again"),
        "remove": _("Remove"),
        "resend": _("Send again on the newest data"),
        "yours": _("What you recorded"),
        "theirs": _("On the server now"),
        "photo_failed": _("This photo could not be read. Take it again, or choose another one."),
        "storage_full": _(
            "The phone's storage is full: free some space (photos, videos), then save again."
        ),
        "signed_out": _("Sign in again to send your work; it stays on this phone meanwhile."),
        "wiped": _(
            "This account can no longer use the field app; the data kept on this phone was removed."
        ),
        "visits_empty": _("No campaign visits waiting."),
        "visit": _("Visit"),
        "sent": _("{n} sent, {left} still waiting."),
        "household": _("Household"),
        "not_found": _("This household is no longer kept on this phone."),
    }


def shell_version() -> str:
    """A short hash of the app shell's files: the service worker's cache name changes with them."""
    import hashlib

    from django.contrib.staticfiles import finders

    digest = hashlib.sha256()
    for name in ("js/field.js", "js/photos.js", "css/silakso.css", "js/forms.js"):
        path = finders.find(name)
        if path:
            with open(path, "rb") as source:
                digest.update(source.read())
    return digest.hexdigest()[:12]


def can_use(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.role in USERS
        and user.region_id
    )


def flows() -> dict[str, FieldFlow]:
    return {flow.name: flow for flow in collect("field_flows")}


def _field_type(bound) -> dict:
    widget, formfield = bound.field.widget, bound.field
    if isinstance(widget, forms.HiddenInput):
        return {"type": "hidden"}
    if isinstance(formfield, forms.ModelChoiceField):
        # filled on the phone from the object it keeps (the household's living members, KKs)
        return {"type": "object", "of": formfield.queryset.model._meta.model_name}
    if isinstance(formfield, forms.FileField):
        return {"type": "photo"}
    if isinstance(formfield, forms.DateField):
        return {"type": "date"}
    if isinstance(formfield, forms.BooleanField):
        return {"type": "checkbox"}
    if isinstance(formfield, forms.ChoiceField):
        flat = []
        for value, label in formfield.choices:
            if isinstance(label, list | tuple):  # a group (the villages of a district)
                flat += [[str(code), "{} · {}".format(name, value)] for code, name in label]
            else:
                flat.append([str(value), str(label)])
        return {
            "type": "radio" if isinstance(widget, forms.RadioSelect) else "select",
            "choices": flat,
        }
    if isinstance(widget, forms.Textarea):
        return {"type": "textarea"}
    if isinstance(formfield, forms.IntegerField | forms.DecimalField):
        return {"type": "number"}
    return {"type": "text", "inputmode": widget.attrs.get("inputmode", "")}


def describe_form(form, defaults: dict | None = None) -> list[dict]:
    """The fields of a step's form as the phone draws them offline: name, label, kind, choices,
    whether required, help, starting value (``defaults`` first: a field visit's source)."""
    defaults = defaults or {}
    described = []
    for bound in form:
        if bound.name in ("submission_key", "version"):
            continue  # the phone sends its own key and the version it worked from
        initial = defaults.get(bound.name, bound.initial)
        described.append(
            {
                "name": bound.html_name,
                "label": str(bound.label),
                "required": bound.field.required,
                "help": str(bound.help_text or ""),
                "initial": "" if initial is None or callable(initial) else str(initial),
                **_field_type(bound),
            }
        )
    return described


def field_data(*, user) -> dict:
    """Everything the phone keeps: the user, the step forms, and each app's rows."""
    from silakso.steps import step_form

    data: dict = {
        "user": {"username": user.username, "name": user.get_full_name(), "area": user.region_id},
        "made_at": timezone.now().isoformat(),
        "forms": {},
    }
    for part in collect("field_data", user):
        data.update(part)
    if data.get("households"):  # a read of the registry's people, like a list page's
        from .choices import AuditAction
        from .services import audit_log

        audit_log(
            actor=user,
            action=AuditAction.VIEW,
            object_type="dtks.household",
            object_repr=_("Field app: {count} households kept on the phone").format(
                count=len(data["households"])
            ),
            region_code=user.region_id,
        )
    for flow in flows().values():
        if flow.creates:
            if flow.allowed is None or flow.allowed(user):
                data["forms"]["{}:create".format(flow.name)] = {
                    "flow": flow.name,
                    "step": "create",
                    "create": True,
                    "label": str(flow.label),
                    "title": str(flow.label),
                    "intro": "",
                    "submit": str(flow.label),
                    "fields": describe_form(flow.form(user), flow.defaults),
                }
            continue
        sample = _sample(flow, data, user)
        if sample is None:
            continue
        for step in flow.workflow.steps:
            if step.code in flow.steps and step.permits(user):
                form = step_form(step, sample, user)
                data["forms"]["{}:{}".format(flow.name, step.code)] = {
                    "flow": flow.name,
                    "step": step.code,
                    "slug": step.slug,
                    "label": str(step.label),
                    "title": str(step.title or step.label),
                    "intro": str(step.intro or ""),
                    "submit": str(step.submit or step.label),
                    "fields": describe_form(form, flow.defaults) if form is not None else [],
                }
    return data


def _sample(flow: FieldFlow, data: dict, user):
    """An object of the flow the user may reach (the first the phone keeps), to build its step
    forms from: their fields do not depend on which one."""
    rows = data.get(flow.name + "s") or []
    if not rows:
        return None
    try:
        return flow.fetch(user=user, pk=rows[0]["id"])
    except ObjectDoesNotExist:
        return None


def field_submit(*, user, key: str, flow_name: str, pk, step_code: str, data, files=None) -> dict:
    """Record one item of the outbox; the answer the phone shows: ``accepted`` (with the
    confirmation), ``refused`` (the reason, per field), or ``conflict`` (the object changed on
    the server since the phone's copy: what changed, and the server's version)."""
    from silakso.steps import form_arguments, step_form

    key = (key or "").strip()[:64]
    if len(key) < 8:
        return _refused(_("The item has no key; update the app and send it again."))
    earlier = FieldSubmission.objects.filter(key=key).first()
    if earlier is not None:
        if earlier.user_id != user.pk:
            return _refused(_("This item belongs to another account."))
        return {**earlier.result, "again": True}
    flow = flows().get(flow_name)
    if flow is not None and flow.creates and step_code == "create":
        return _create(flow, user=user, key=key, data=data, files=files)
    if flow is None or step_code not in flow.steps:
        return _refused(_("This kind of item cannot be sent from the field app."))
    try:
        obj = flow.fetch(user=user, pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        return _refused(_("This household is not in your area (or no longer in the registry)."))
    step = flow.workflow.step(step_code)
    if not step.permits(user):
        return _refused(_("Your role does not record this."))
    form = step_form(step, obj, user, data=data, files=files)
    if form is not None and not form.is_valid():
        return _refused(_("Some fields need correcting."), form.errors)
    try:
        with transaction.atomic():
            result = flow.workflow.run(
                step, obj, actor=user, arguments=form_arguments(form) if form is not None else {}
            )
            text = step.success(result) if callable(step.success) else step.success
            answer = {
                "status": "accepted",
                "message": str(text or _("Saved.")),
                "object": flow.keep(flow.fetch(user=user, pk=pk)),
            }
            FieldSubmission.objects.create(key=key, user=user, kind=flow_name, result=answer)
    except StaleObjectError as exc:
        return {
            "status": "conflict",
            "message": str(exc.message),
            "changes": [
                {k: str(v) for k, v in change.items()}
                for change in (exc.changes or {}).get("events", [])
            ],
            "object": flow.keep(flow.fetch(user=user, pk=pk)),
        }
    except (Forbidden, InvalidTransition, Conflict, Http404) as exc:
        return _refused(str(getattr(exc, "message", exc) or _("This cannot be recorded now.")))
    except (ValidationError, DomainError) as exc:
        from silakso.forms import add_service_errors

        if form is None:
            return _refused(str(getattr(exc, "message", exc)))
        add_service_errors(form, exc)
        return _refused(_("Some fields need correcting."), form.errors)
    except IntegrityError:  # the same key sent twice at once: the other one recorded it
        earlier = FieldSubmission.objects.filter(key=key, user=user).first()
        if earlier is None:
            raise
        return {**earlier.result, "again": True}
    return answer


def _create(flow: FieldFlow, *, user, key: str, data, files) -> dict:
    """A record the field creates (a resident's complaint): its own form, its own service."""
    from silakso.forms import add_service_errors

    if flow.allowed is not None and not flow.allowed(user):
        return _refused(_("Your role does not record this."))
    form = flow.form(user, data=data, files=files)
    if not form.is_valid():
        return _refused(_("Some fields need correcting."), form.errors)
    try:
        with transaction.atomic():
            answer = {"status": "accepted", "message": str(flow.create(form, user))}
            FieldSubmission.objects.create(key=key, user=user, kind=flow.name, result=answer)
    except (ValidationError, DomainError) as exc:
        add_service_errors(form, exc)
        return _refused(_("Some fields need correcting."), form.errors)
    except IntegrityError:
        earlier = FieldSubmission.objects.filter(key=key, user=user).first()
        if earlier is None:
            raise
        return {**earlier.result, "again": True}
    return answer


def _refused(message: str, errors=None) -> dict:
    return {
        "status": "refused",
        "message": str(message),
        "errors": {name: [str(m) for m in messages] for name, messages in (errors or {}).items()},
    }
