from rest_framework.routers import DefaultRouter

from . import views

app_name = "dtks-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("regions", views.RegionViewSet, basename="region")

urlpatterns = router.urls
