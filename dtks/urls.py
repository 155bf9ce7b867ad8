from django.urls import path

from . import views

app_name = "dtks"

urlpatterns = [
    path("", views.household_list, name="household_list"),
    path("ringkasan/", views.registry_summary, name="registry_summary"),
    path("rumah-tangga/baru/", views.household_create, name="household_create"),
    path("impor/", views.registry_import, name="registry_import"),
    path("impor/contoh.csv", views.registry_import_example, name="registry_import_example"),
    path("ekspor/", views.registry_export, name="registry_export"),
    path("rumah-tangga/<int:pk>/", views.household_detail, name="household_detail"),
    path("rumah-tangga/<int:pk>/ubah/", views.household_update, name="household_update"),
    path("rumah-tangga/<int:pk>/anggota/<slug:action>/", views.member_event, name="member_event"),
    path("rumah-tangga/<int:pk>/foto/", views.member_event, {"action": "foto"}, name="photo_add"),
    path("rumah-tangga/<int:pk>/foto/<int:photo_pk>/", views.photo_file, name="photo_file"),
    path("rumah-tangga/<int:pk>/program/", views.enrollment_create, name="enrollment_create"),
    path("individu/<int:pk>/ubah/", views.individual_update, name="individual_update"),
    path("individu/<int:pk>/nik/", views.nik_reveal, name="nik_reveal"),
    path("kepesertaan/<int:pk>/akhiri/", views.enrollment_end, name="enrollment_end"),
    path("program/", views.program_list, name="program_list"),
    path("program/baru/", views.program_create, name="program_create"),
    path("program/<int:pk>/", views.program_detail, name="program_detail"),
    path("program/<int:pk>/ubah/", views.program_edit, name="program_edit"),
    path("program/<int:program_pk>/periode/baru/", views.period_edit, name="period_create"),
    path("program/periode/<int:pk>/ubah/", views.period_edit, name="period_edit"),
    path("program/periode/<int:pk>/", views.period_detail, name="period_detail"),
    path("program/periode/<int:pk>/daftarkan/", views.recipient_add, name="recipient_add"),
    path("pmt/", views.pmt_overview, name="pmt_overview"),
    path("pmt/bobot/baru/", views.pmt_weight_create, name="pmt_weight_create"),
    path("pmt/bobot/<int:pk>/", views.pmt_weight_detail, name="pmt_weight_detail"),
    path("masalah-data/", views.flag_list, name="flag_list"),
    path("masalah-data/<int:pk>/selesai/", views.flag_resolve, name="flag_resolve"),
    path("masalah-data/<int:pk>/ambil/", views.flag_take, name="flag_take"),
    path("masalah-data/<int:pk>/buka-lagi/", views.flag_reopen, name="flag_reopen"),
    path("kampanye/", views.campaign_list, name="campaign_list"),
    path("kampanye/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path(
        "kampanye/rumah-tangga/<int:pk>/",
        views.campaign_item_step,
        {"action": "catat"},
        name="campaign_item",
    ),
    path(
        "kampanye/rumah-tangga/<int:pk>/<slug:action>/",
        views.campaign_item_step,
        name="campaign_item_step",
    ),
    path("dukcapil/", views.civil_registry_upload, name="civil_registry_upload"),
    path("wilayah/", views.region_list, name="region_list"),
    path("wilayah/muat-ulang/", views.region_reload, name="region_reload"),
]
