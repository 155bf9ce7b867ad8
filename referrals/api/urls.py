from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

app_name = "referrals-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("providers", views.ProviderViewSet, basename="provider")
router.register("services", views.ServiceViewSet, basename="service")
router.register("cases", views.CaseViewSet, basename="case")
router.register("referrals", views.ReferralViewSet, basename="referral")
router.register("letters", views.LetterViewSet, basename="letter")

urlpatterns = [
    path(
        "provider-events/<int:provider_id>/",
        views.ProviderEventView.as_view(),
        name="provider-events",
    ),
    *router.urls,
]
