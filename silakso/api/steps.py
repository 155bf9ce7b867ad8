"""Every declared step of a flow as an API action, from its declaration: ``POST
<object>/steps/<code>/`` with the fields of the step's form (JSON or multipart).

A step added to a flow's ``workflow.py`` is there at once, for the roles the declaration names:
the service refuses everyone else (403), a wrong state is 409 with the caller's allowed steps,
and a field the form rejects is 400 naming the field. The hand-written actions (``verify/``,
``forward/``…) stay as documented aliases of the same services.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError

from silakso.steps import form_arguments


class StepInputSerializer(serializers.Serializer):
    """The step's own fields (see the step page's form); ``note`` or ``reason`` for most."""

    note = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True)


class FlowStepActionMixin:
    """Adds ``steps/<code>/`` to a viewset whose ``flow`` is a ``silakso.workflow.Workflow``
    and whose ``step_response(obj)`` renders the object after the step."""

    flow = None

    def step_response(self, obj):  # pragma: no cover - every viewset defines it
        raise NotImplementedError

    @extend_schema(
        request=StepInputSerializer,
        parameters=[
            OpenApiParameter(
                "code", str, OpenApiParameter.PATH, description="A step code from allowed_steps."
            )
        ],
        responses={200: None},
        description=_(
            "Take any step declared for this flow by its code (the `allowed_steps` of the "
            "object). Fields are those of the step's form."
        ),
    )
    @action(detail=True, methods=["post"], url_path=r"steps/(?P<code>[a-z_]+)", url_name="step")
    def step(self, request, pk=None, code=None):
        obj = self.get_object()  # outside your area: 404 before any input is read
        try:
            declaration = next(step for step in self.flow.declarations(code) if step.api)
        except (KeyError, StopIteration) as exc:
            raise Http404 from exc
        arguments = {}
        form_class = declaration.form_class()
        if form_class is not None:
            data = request.data
            if hasattr(form_class, "for_step"):
                form = form_class.for_step(
                    obj=obj, user=request.user, data=data, files=request.FILES
                )
            else:
                form = form_class(data, request.FILES)
            if not form.is_valid():
                raise ValidationError(
                    {
                        field: [error["message"] for error in errors]
                        for field, errors in form.errors.get_json_data().items()
                    }
                )
            arguments = form_arguments(form)
        result = self.flow.run(declaration, obj, actor=request.user, arguments=arguments)
        target = result if isinstance(result, type(obj)) else obj
        return self.step_response(target)
