"""One view for every one-form step of every app, driven by the step declarations
(``silakso.workflow``).

``step_view(flow, fetch=..., back=...)`` makes the view an app routes as
``<pk>/<slug:action>/``: it finds the object through the app's scoped selector (a miss is 404),
the step by its slug (unknown: 404), refuses a role that never takes it (403 page), then either
runs a button step on POST or shows the step's form and runs its service on a valid POST. The
service's refusals (a wrong state, a rule, a field error, a stale version) go back onto the
form, translated; nothing is half-written because the services are atomic.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render

from .exceptions import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidTransition,
    NotFound,
    StaleObjectError,
)
from .forms import add_service_errors, run_service_action
from .workflow import Step, Workflow, refusal_text


def step_form(step: Step, obj, user, data=None, files=None):
    """The step's form, built by its ``for_step`` classmethod when it has one (forms that need
    the object: the members of a household, the programs of a village)."""
    form_class = step.form_class()
    if form_class is None:
        return None
    if hasattr(form_class, "for_step"):
        return form_class.for_step(obj=obj, user=user, data=data, files=files)
    return form_class(data, files)


def form_arguments(form) -> dict:
    """What the form gives the service: ``service_arguments()`` when the form maps its fields,
    otherwise its cleaned data (fields named like the service's keywords; the submission key
    stays with the page)."""
    if hasattr(form, "service_arguments"):
        return form.service_arguments()
    return {k: v for k, v in form.cleaned_data.items() if k != "submission_key"}


def pick_step(flow: Workflow, slug: str, obj, user, *, posted: bool) -> Step:
    """The declaration behind ``slug`` that fits the object's state and the user's role.

    Opening the page of a step the user's role never takes is 403; a POST goes to the service,
    whose refusal the user reads as a message."""
    declarations = flow.by_slug(slug)
    if not declarations:
        raise Http404
    state = getattr(obj, "status", None)
    for step in declarations:
        if step.permits(user) and step.starts_from(state):
            return step
    for step in declarations:
        if step.permits(user):
            return step
    if posted:
        return declarations[0]
    raise PermissionDenied(refusal_text(declarations[0]))


def _done(request, step: Step, result, back_url: str):
    """After a step: its confirmation (``success`` may read the service's result), then the
    object's page, or where ``follow(result)`` leads (a job's progress page)."""
    if result is None:  # refused: run_service_action has shown why
        return redirect(back_url)
    text = step.success(result) if callable(step.success) else step.success
    if text:
        messages.success(request, str(text))
    if step.follow is not None:
        return redirect(step.follow(result))
    return redirect(back_url)


def step_view(
    flow: Workflow,
    *,
    fetch: Callable[..., Any],
    back: Callable[[Any], tuple[str, str]],
    template: str = "includes/step_page.html",
    context: Callable[..., dict] | None = None,
):
    """The view of ``flow``'s step pages. ``fetch(user=, pk=)`` is the app's scoped selector;
    ``back(obj)`` gives the (url, label) of the object's page; ``context(obj, step, user)``
    adds what a step page shows beside its form (the duplicates a referral would repeat)."""

    def view(request, pk, action):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            obj = fetch(user=request.user, pk=pk)
        except (ObjectDoesNotExist, ValueError) as exc:
            raise Http404 from exc
        step = pick_step(flow, action, obj, request.user, posted=request.method == "POST")
        back_url, back_label = back(obj)
        if step.form is None:
            if request.method != "POST":
                raise Http404
            result = run_service_action(request, lambda: flow.run(step, obj, actor=request.user))
            return _done(request, step, result, back_url)
        posted = request.method == "POST"
        form = step_form(
            step,
            obj,
            request.user,
            data=request.POST if posted else None,
            files=request.FILES if posted else None,
        )
        if posted and form.is_valid():
            from core.models import SubmissionReceipt

            from .idempotency import form_scope

            key = form_scope(form.cleaned_data.get("submission_key"))
            if key and SubmissionReceipt.objects.filter(key=key).exists():
                return redirect(back_url)  # sent twice (a double tap): done once already
            try:
                with transaction.atomic():
                    result = flow.run(step, obj, actor=request.user, arguments=form_arguments(form))
                    if key:
                        SubmissionReceipt.objects.create(key=key, url=back_url)
            except (Forbidden, InvalidTransition, Conflict) as exc:
                # not this user's step, or not now: nothing to correct on the form
                if isinstance(exc, NotFound):
                    raise Http404 from exc
                messages.error(request, str(exc.message))
                return redirect(back_url)
            except StaleObjectError as exc:
                form.stale = (exc.changes or {}).get("events", [])
                form.add_error(None, exc.message)
            except (ValidationError, DomainError) as exc:
                if isinstance(exc, NotFound):
                    raise Http404 from exc
                add_service_errors(form, exc)
            else:
                return _done(request, step, result, back_url)
        return render(
            request,
            template,
            {
                "form": form,
                "object": obj,
                flow.subject: obj,
                "step": step,
                "title": step.page_title(obj),
                "intro": step.intro,
                "submit": step.submit or step.label,
                "multipart": step.multipart,
                "geolocate": step.geolocate,
                "back_url": back_url,
                "back_label": back_label,
                "stale": getattr(form, "stale", []),
                **(context(obj, step, request.user) if context else {}),
            },
        )

    view.flow = flow  # type: ignore[attr-defined]
    return view


def step_urls(flow: Workflow, view, *, prefix: str, name: str = "") -> list:
    """The routes of ``flow``'s step pages: ``<prefix><slug:action>/`` (named after the flow's
    ``url_name``) for every step, and, when ``name`` is given, one named route per declared
    slug (``<name>_<code>``) so that existing links and bookmarks keep working."""
    from django.urls import path

    routes = []
    if name:
        seen = set()
        for step in flow.steps:
            if step.slug and step.slug not in seen:
                seen.add(step.slug)
                routes.append(
                    path(
                        "{}{}/".format(prefix, step.slug),
                        view,
                        {"action": step.slug},
                        name="{}_{}".format(name, step.code),
                    )
                )
    routes.append(path("{}<slug:action>/".format(prefix), view, name=flow.url_name.split(":")[-1]))
    return routes
