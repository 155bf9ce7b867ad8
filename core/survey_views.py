"""The public satisfaction survey (IKM) a resident opens from the invitation's link, and the
quarterly index per service for the head of division and the regent's office."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _

from silakso.forms import add_service_errors

from . import satisfaction
from .choices import Role
from .forms import SurveyForm
from .permissions import has_role

#: who reads the index per service, quarter and element
IKM_READERS = (Role.HEAD_OF_DIVISION, Role.REGENT_OFFICE, Role.DATA_MANAGER, Role.SUPERVISOR)


def survey(request, token: str):
    """Public: the nine questions about one finished service (the link names the service,
    never the person); answered once."""
    try:
        target = satisfaction.target_of(token)
    except ValidationError:
        return render(request, "core/survey_done.html", {"broken": True}, status=404)
    if satisfaction.answered(target["object_type"], target["object_id"]):
        return render(request, "core/survey_done.html", {"already": True})
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            satisfaction.survey_submit(
                token=token,
                answers={key: data[key] for key in satisfaction.FIELDS},
                suggestion=data["suggestion"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you! Your answers help us serve better."))
            return render(request, "core/survey_done.html", {"thanks": True})
    return render(
        request,
        "core/survey.html",
        {
            "form": form,
            "service_name": satisfaction.SERVICE_NAMES.get(target["service"], ""),
        },
    )


@login_required
def satisfaction_index(request):
    """The IKM per service and quarter with each element's mean, in the reader's area."""
    if not has_role(request.user, *IKM_READERS):
        raise PermissionDenied(_("Your role does not read the satisfaction index."))
    prefix = None if request.user.region_id is None else request.user.region_id
    questions = [question for _key, question, _answers in satisfaction.ELEMENTS]
    rows = [
        {**row, "elements": list(zip(questions, row["index"].element_means, strict=True))}
        for row in satisfaction.quarterly(region_prefix=prefix)
    ]
    return render(
        request,
        "core/satisfaction_index.html",
        {"rows": rows, "k": settings.SILAKSO_DISCLOSURE_K},
    )
