from django.urls import path

from silakso.steps import step_urls

from . import views
from .workflow import CASE_FLOW

app_name = "referrals"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("kasus/baru/<int:household_pk>/", views.case_create, name="case_create"),
    path("kasus/<int:pk>/", views.case_detail, name="case_detail"),
    path("kasus/<int:pk>/asesmen/", views.case_assess, name="case_assess"),
    path("kasus/<int:pk>/rencana/", views.case_plan, name="case_plan"),
    path("kasus/<int:pk>/tindak-lanjut/", views.case_follow_up, name="case_follow_up"),
    path("kasus/<int:pk>/rujuk/", views.referral_create, name="referral_create"),
    path("<int:pk>/", views.referral_detail, name="referral_detail"),
    path("<int:pk>/<slug:action>/", views.referral_action, name="referral_action"),
    path("mitra/", views.portal, name="portal"),
    path("mitra/layanan/", views.portal_services, name="portal_services"),
    path("mitra/layanan/baru/", views.service_edit, name="service_create"),
    path("mitra/layanan/<int:pk>/", views.service_edit, name="service_edit"),
    path("penyedia/", views.provider_list, name="provider_list"),
    path("penyedia/baru/", views.provider_edit, name="provider_create"),
    path("penyedia/<int:pk>/ubah/", views.provider_edit, name="provider_edit"),
    path(
        "penyedia/<int:provider_pk>/layanan/baru/",
        views.provider_service_edit,
        name="provider_service_create",
    ),
    path(
        "penyedia/<int:provider_pk>/layanan/<int:pk>/",
        views.provider_service_edit,
        name="provider_service_edit",
    ),
    path("surat/jenis/", views.letter_template_list, name="letter_template_list"),
    path("surat/jenis/<slug:kind>/", views.letter_template_edit, name="letter_template_edit"),
    path("surat/", views.letter_list, name="letter_list"),
    path("surat/baru/<slug:kind>/", views.letter_create, name="letter_create"),
    path("surat/<int:pk>/pdf/", views.letter_pdf, name="letter_pdf"),
    path("surat/<int:pk>/cabut/", views.letter_revoke, name="letter_revoke"),
    path("cek-surat/<str:token>/", views.letter_verify, name="letter_verify"),
    path("laporan/", views.report, name="report"),
    path("laporan/ekspor/", views.export, name="export"),
    *step_urls(CASE_FLOW, views.case_action, prefix="kasus/<int:pk>/", name="case"),
]
