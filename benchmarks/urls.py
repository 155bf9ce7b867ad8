"""The application's URLs plus `/bench/bare-cek/`: the same lookup without scope, masking,
rate limit or audit, as the reference the real Cek Bansos endpoint is compared with."""

import json

from django.http import JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from dtks.models import Enrollment, Individual


@csrf_exempt
def bare_cek(request):
    body = json.loads(request.body)
    person = Individual.objects.filter(nik=body["nik"]).select_related("household__village").first()
    if person is None:
        return JsonResponse({"found": False})
    today = timezone.localdate()
    programs = list(
        Enrollment.objects.filter(
            household=person.household, period__starts_on__lte=today, period__ends_on__gte=today
        ).values_list("program__name", "status")
    )
    return JsonResponse(
        {
            "found": True,
            "name": person.name,
            "village": person.household.village.name,
            "programs": programs,
        }
    )


urlpatterns = [path("bench/bare-cek/", bare_cek), path("", include("silakso.urls"))]
