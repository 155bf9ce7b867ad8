"""Flow declarations: every step of a flow is written once, as a :class:`Step`, and everything
else derives from it.

A step says what it is (code, label), where it may start (source states) and where it leads
(target, or none for an action that keeps the status, such as "take onto my worklist"), who may
take it (roles, plus :class:`Rule` predicates such as "not who entered it"), and how it looks
(URL slug, input form, page title, success message, button style). From the declarations of a
flow come:

- the transition table (``Workflow.transitions``), which ``core.services.status_transition``
  asserts;
- the service's authorisation: ``Workflow.authorize(code, obj, user)`` answers 403 for a role
  or rule that does not fit and 409 (with the steps the caller may take) for a wrong state;
- the buttons of every page (``Workflow.buttons``) and the API's ``allowed_transitions`` /
  ``allowed_steps`` (``Workflow.available``), both filtered by the caller;
- the step pages: one shared view (``silakso.steps.StepView``) serves every one-form step
  under ``<pk>/<slug>/``.

No FSM library: the table is a dict, the checks are a few lines, and a test states the expected
edges as literals.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.module_loading import import_string
from django.utils.translation import gettext_noop

from .exceptions import DomainError, Forbidden, InvalidTransition, SeparationOfDutiesError


@dataclass(frozen=True)
class Rule:
    """A condition a step needs beyond role and state. ``check(obj, user)`` is True when the
    step may be taken; otherwise ``error(message)`` is raised (403 by default)."""

    check: Callable[[Any, Any], bool]
    message: Any
    error: type[DomainError] = Forbidden


def duty_rule(involved: Callable[[Any], Iterable], *, action) -> Rule:
    """Separation of duties: the user is none of the people ``involved(obj)`` returns (user
    ids of who entered, submitted, filled in or verified it). Refused with
    SeparationOfDutiesError: "You cannot <action>: another officer has to do it"."""

    def check(obj, user) -> bool:
        user_id = getattr(user, "pk", None)
        return user_id is None or user_id not in {pk for pk in involved(obj) if pk is not None}

    return Rule(
        check,
        _LazyFormat("You cannot {action}: another officer has to do it.", action=action),
        SeparationOfDutiesError,
    )


def not_involved(*fields: str, action) -> Rule:
    """:func:`duty_rule` for user id fields of the object itself."""
    return duty_rule(lambda obj: [getattr(obj, name, None) for name in fields], action=action)


def not_for_own_household(*, action) -> Rule:
    """Separation of duties between persons, not accounts: an officer whose account carries
    their NIK does not decide on a request or a data change of the household they belong to
    (the applicant's NIK, a named person, or any current member of the object's household)."""

    def check(obj, user) -> bool:
        nik = getattr(user, "nik", None)
        if not nik:
            return True
        if nik in {getattr(obj, "applicant_nik", None), getattr(obj, "nik", None)}:
            return False
        household_id = getattr(obj, "household_id", None)
        if household_id is None:
            return True
        from dtks.models import Individual

        return not Individual.objects.living().filter(household_id=household_id, nik=nik).exists()

    return Rule(
        check,
        _LazyFormat(
            gettext_noop(
                "You cannot {action}: it concerns your own household, another officer has to do it."
            ),
            action=action,
        ),
        SeparationOfDutiesError,
    )


class _LazyFormat:
    """A translated message with a translated placeholder, formatted when shown."""

    def __init__(self, text: str, **values):
        self.text = text
        self.values = values

    def __str__(self) -> str:
        from django.utils.translation import gettext

        return gettext(self.text).format(**{k: str(v) for k, v in self.values.items()})


ANY_STATE = None


@dataclass(frozen=True)
class Step:
    """One step of a flow (or one action on an object), declared once.

    ``sources`` None means "in any state" (member events on a household, which has no flow).
    ``target`` None means the status stays (take, field check, link a program).
    ``roles`` empty means only the system takes it (automatic screening, signed events).
    ``form`` / ``service`` are dotted paths; the service is called as
    ``service(<subject>=obj, actor=user, **service_kwargs, **form arguments)`` where the form's
    arguments are ``form.service_arguments()`` when the form defines it, else its cleaned data.
    ``page`` names a URL of its own for steps whose page is not a single form (the button links
    there); ``link`` builds a URL elsewhere (``link(obj)``), for example "open a case";
    ``follow(result)`` is where the user goes after the service (a job's progress page);
    ``button_when(obj)`` lets a step with a form post straight from its button when no input is
    needed (a referral with no similar service to explain). ``title`` may be a callable of the
    object. ``pass_subject`` False: the service takes what the form names instead (a member
    event names the member, not the household).
    """

    code: str
    label: Any
    sources: frozenset | None = frozenset()
    target: str | None = None
    roles: frozenset = frozenset()
    rules: tuple[Rule, ...] = ()
    slug: str = ""
    form: str | None = None
    service: str | None = None
    service_kwargs: Mapping[str, Any] = field(default_factory=dict)
    title: Any = None
    intro: Any = ""
    submit: Any = None
    success: Any = ""
    style: str = "secondary"
    inline: bool = False
    page: str | None = None
    link: Callable[[Any], str] | None = None
    follow: Callable[[Any], str] | None = None
    button_when: Callable[[Any], bool] | None = None
    multipart: bool = False
    geolocate: bool = False
    api: bool = True
    pass_subject: bool = True

    def starts_from(self, state) -> bool:
        return self.sources is None or state in self.sources

    def permits(self, user) -> bool:
        """Whether the user's role may take this step (superusers always)."""
        from core.permissions import has_role

        return bool(self.roles) and has_role(user, *self.roles)

    def rule_refusal(self, obj, user) -> Rule | None:
        return next((rule for rule in self.rules if not rule.check(obj, user)), None)

    def form_class(self):
        return import_string(self.form) if self.form else None

    def page_title(self, obj) -> str:
        if callable(self.title):
            return self.title(obj)
        return self.title or self.label


class Workflow:
    """The steps of one flow and the questions services, pages and the API ask of them.

    ``model`` ("app.Model") is the object the flow moves; ``subject`` the keyword its services
    take it by; ``history`` ("app.Model", "fk") the status-change rows; ``url_name`` the step
    page route (``<app>:<model>_action`` with ``pk`` and ``action``); ``region`` the attribute
    holding the region code written on audit rows; ``after_step`` (dotted) is called as
    ``after_step(obj, source, target, note)`` inside the transaction of a step that has no
    service of its own (a complaint's new deadline and the resident's message).
    """

    def __init__(
        self,
        *,
        steps: Iterable[Step],
        model: str = "",
        subject: str = "",
        history: tuple[str, str] | None = None,
        region: str = "",
        url_name: str = "",
        after_step: str | None = None,
    ):
        self.model = model
        self.subject = subject
        self.history = history
        self.region = region
        self.url_name = url_name
        self.after_step = after_step
        self.steps: list[Step] = []
        self.transitions: dict = {}
        for step in steps:
            self.add(step)

    # ------------------------------------------------------------------ declaration
    def add(self, step: Step) -> Step:
        """Declare a step (at import time, or in a test that shows a new step appears)."""
        self.steps.append(step)
        if step.target is not None and step.sources is not None:
            for source in step.sources:
                self.transitions[source] = frozenset(
                    {*self.transitions.get(source, frozenset()), step.target}
                )
        return step

    def remove(self, code: str) -> None:
        """Withdraw a step declared with :meth:`add` (tests restore the table with it)."""
        self.steps = [step for step in self.steps if step.code != code]
        self.transitions = {}
        for step in self.steps:
            if step.target is not None and step.sources is not None:
                for source in step.sources:
                    self.transitions[source] = frozenset(
                        {*self.transitions.get(source, frozenset()), step.target}
                    )

    def step(self, code: str) -> Step:
        """The (first) declaration of ``code``; KeyError for an undeclared step."""
        for step in self.steps:
            if step.code == code:
                return step
        raise KeyError(code)

    def declarations(self, code: str) -> list[Step]:
        """Every declaration of ``code`` (one step may differ in roles per source state)."""
        found = [step for step in self.steps if step.code == code]
        if not found:
            raise KeyError(code)
        return found

    def by_slug(self, slug: str) -> list[Step]:
        return [step for step in self.steps if step.slug and step.slug == slug]

    def with_(self, code: str, **changes) -> Step:
        """A copy of a declaration with some attributes changed (for composing flows)."""
        return replace(self.step(code), **changes)

    # ------------------------------------------------------------------ the table
    def allowed_targets(self, state) -> frozenset:
        """States reachable from ``state`` in one step."""
        return self.transitions.get(state, frozenset())

    def can(self, source, target) -> bool:
        return target in self.allowed_targets(source)

    def assert_transition(self, source, target, *, user=None, obj=None) -> None:
        """Raise InvalidTransition (HTTP 409) unless ``source -> target`` is in the table."""
        if not self.can(source, target):
            raise InvalidTransition(
                current=source,
                target=target,
                allowed=sorted(self.allowed_targets(source)),
                allowed_steps=self.allowed_steps(obj, user) if obj is not None else (),
            )

    # ------------------------------------------------------------------ the caller's view
    def available(self, obj, user) -> list[Step]:
        """The steps ``user`` may take on ``obj`` now: state, role and rules all fit.

        Remembered on the object for its state and the user (a page and a serializer ask
        several times per object; rules may query)."""
        key = (
            id(self),
            getattr(obj, "status", None),
            getattr(obj, "updated_at", None),
            getattr(user, "pk", None),
            len(self.steps),
        )
        memo = obj.__dict__.setdefault("_silakso_steps", {})
        if key not in memo:
            memo[key] = self._available(obj, user)
        return memo[key]

    def _available(self, obj, user) -> list[Step]:
        state = getattr(obj, "status", None)
        seen: set[str] = set()
        steps = []
        for step in self.steps:
            if step.code in seen or not step.starts_from(state) or not step.permits(user):
                continue
            if step.rule_refusal(obj, user) is not None:
                continue
            seen.add(step.code)
            steps.append(step)
        return steps

    def allowed_steps(self, obj, user) -> list[str]:
        return [step.code for step in self.available(obj, user)]

    def allowed_transitions(self, obj, user) -> list[str]:
        """Target states the caller can reach from ``obj``'s state (the API's field)."""
        return sorted(
            {str(step.target) for step in self.available(obj, user) if step.target is not None}
        )

    def authorize(self, code: str, obj, user, *, system: bool = False) -> Step:
        """Check that ``user`` may take step ``code`` on ``obj`` now, and return the step.

        Forbidden (403) when the role never takes this step, or not from this state;
        InvalidTransition (409, with the caller's allowed steps) when the state does not allow
        it; a rule's own error (SeparationOfDutiesError 403, Conflict 409...) when a rule fails.
        ``system`` is for the system's own moves (screening on submit, an authenticated event
        from a partner's system, an anonymous resident who proved a tracking code): only the
        state is checked.
        """
        state = getattr(obj, "status", None)
        declarations = self.declarations(code)
        if not system:
            mine = [step for step in declarations if step.permits(user)]
            if not mine:
                raise Forbidden(refusal_text(declarations[0]))
            fitting = [step for step in declarations if step.starts_from(state)]
            if fitting and not any(step in mine for step in fitting):
                raise Forbidden(refusal_text(declarations[0]))
            candidates = [step for step in mine if step.starts_from(state)]
        else:
            candidates = [step for step in declarations if step.starts_from(state)]
        if not candidates:
            step = declarations[0]
            raise InvalidTransition(
                current=state,
                target=step.target or code,
                allowed=sorted(self.allowed_targets(state)),
                allowed_steps=self.allowed_steps(obj, user),
            )
        step = candidates[0]
        if system:  # the rules are about the person taking the step; the system is none
            return step
        refused = step.rule_refusal(obj, user)
        if refused is not None:
            raise refused.error(refused.message)
        return step

    def run(self, step: Step, obj, *, actor, arguments: Mapping[str, Any] | None = None):
        """Take ``step`` on ``obj``: call its service as
        ``service(<subject>=obj, actor=actor, **service_kwargs, **arguments)``; a step declared
        without a service runs ``core.services.flow_step`` (lock, authorise, move, notify)."""
        arguments = {**dict(step.service_kwargs), **dict(arguments or {})}
        if step.service is None:
            from core.services import flow_step

            return flow_step(flow=self, code=step.code, obj=obj, actor=actor, **arguments)
        subject = {self.subject: obj} if step.pass_subject else {}
        return import_string(step.service)(**subject, actor=actor, **arguments)

    # ------------------------------------------------------------------ pages
    def url(self, step: Step, obj) -> str:
        from django.urls import reverse

        if step.link is not None:
            return step.link(obj)
        if step.page:
            return reverse(step.page, args=[obj.pk])
        return reverse(self.url_name, kwargs={"pk": obj.pk, "action": step.slug})

    def buttons(self, obj, user) -> list[dict]:
        """What the object's page shows: one entry per available step, with its URL, whether
        it posts directly (no input) and, for inline steps, a blank form."""
        buttons = []
        for step in self.available(obj, user):
            if not (step.slug or step.page or step.link):
                continue
            form_class = step.form_class()
            direct = form_class is None and step.link is None and not step.page
            if step.button_when is not None and step.button_when(obj):
                direct = True
            buttons.append(
                {
                    "code": step.code,
                    "label": step.label,
                    "url": self.url(step, obj),
                    "post": direct,
                    "style": step.style,
                    "form": form_class() if step.inline and form_class and not direct else None,
                    "submit": step.submit or step.label,
                }
            )
        return buttons

    def history_model(self):
        from django.apps import apps

        if self.history is None:
            return None
        return apps.get_model(self.history[0])

    def model_class(self):
        from django.apps import apps

        return apps.get_model(self.model)


def refusal_text(step: Step) -> str:
    """The 403 message of a step someone's role does not take."""
    from django.utils.translation import gettext

    return gettext("Your role cannot do this step: {step}.").format(step=str(step.label).lower())
