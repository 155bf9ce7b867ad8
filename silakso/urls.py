"""URL roots: the HTML site, /api/v1/, the OpenAPI schema and docs, /healthz, /admin/."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from core.views import admin_login, healthz, privacy_notice, service_standard, service_standards
from dtks.views import cek_bansos, transparency
from silakso.admin import superusers_only

# the admin signs in through the site's own sign-in (limits, audit, second factor)
admin.site.login = admin_login  # type: ignore[method-assign]
admin.site.has_permission = superusers_only  # type: ignore[method-assign]

handler403 = "core.views.error_403"
handler404 = "core.views.error_404"
handler500 = "core.views.error_500"

urlpatterns = [
    path("", include("core.urls")),
    path("registri/", include("dtks.urls")),
    path("usulan/", include("applications.urls")),
    path("pengaduan/", include("complaints.urls")),
    path("rujukan/", include("referrals.urls")),
    path("cek-bansos/", cek_bansos, name="cek_bansos"),
    path("transparansi/", transparency, name="transparency"),
    path("privasi/", privacy_notice, name="privacy_notice"),
    path("standar-layanan/", service_standards, name="service_standards"),
    path("standar-layanan/<slug:slug>/", service_standard, name="service_standard"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("silakso.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
]

# Uploaded media is never served from a public path: house photos and documents are personal
# data and go through scoped views.
