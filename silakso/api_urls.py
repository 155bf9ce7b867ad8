"""Everything under /api/v1/: each app's api/urls.py, mounted side by side."""

from django.urls import include, path

urlpatterns = [
    path("", include("core.api.urls")),
    path("", include("dtks.api.urls")),
    path("", include("applications.api.urls")),
    path("", include("complaints.api.urls")),
    path("", include("referrals.api.urls")),
]
