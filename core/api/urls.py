from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

app_name = "core-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("jobs", views.JobViewSet, basename="job")
router.register("audit-events", views.AuditEventViewSet, basename="audit-event")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("messages/inbound/", views.InboundMessageView.as_view(), name="message-inbound"),
    path("messages/receipts/", views.DeliveryReceiptView.as_view(), name="message-receipt"),
    *router.urls,
]
