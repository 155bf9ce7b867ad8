from rest_framework.routers import DefaultRouter

from . import views

app_name = "applications-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("applications", views.ApplicationViewSet, basename="application")
router.register("update-proposals", views.UpdateProposalViewSet, basename="update-proposal")
router.register("deliberations", views.DeliberationViewSet, basename="deliberation")
router.register("batches", views.BatchViewSet, basename="batch")
router.register("objections", views.ObjectionViewSet, basename="objection")

urlpatterns = router.urls
