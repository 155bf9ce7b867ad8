from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

app_name = "dtks-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("regions", views.RegionViewSet, basename="region")
router.register("households", views.HouseholdViewSet, basename="household")
router.register("individuals", views.IndividualViewSet, basename="individual")
router.register("families", views.FamilyViewSet, basename="family")
router.register("programs", views.ProgramViewSet, basename="program")
router.register("program-periods", views.ProgramPeriodViewSet, basename="program-period")
router.register("enrollments", views.EnrollmentViewSet, basename="enrollment")

urlpatterns = [
    path("cek-bansos/", views.CekBansosView.as_view(), name="cek-bansos"),
    *router.urls,
]
