from rest_framework.routers import DefaultRouter

from . import views

app_name = "complaints-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("complaints", views.ComplaintViewSet, basename="complaint")

urlpatterns = router.urls
