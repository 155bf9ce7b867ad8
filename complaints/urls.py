from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    # residents
    path("", views.complaint_create, name="complaint_create"),
    path("terkirim/", views.complaint_done, name="complaint_done"),
    path("lacak/", views.track, name="track"),
    path("tiket/<str:code>/", views.status, name="status"),
    path("tiket/<str:code>/nilai/", views.rate, name="rate"),
    # officers
    path("daftar/", views.complaint_list, name="complaint_list"),
    path("baru/", views.intake, name="intake"),
    path("laporan/", views.report, name="report"),
    path("sla/", views.sla_table, name="sla_table"),
    path("ekspor/", views.export, name="export"),
    path("<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("<int:pk>/<slug:action>/", views.complaint_action, name="complaint_action"),
    path("<int:pk>/lampiran/<int:attachment_pk>/", views.attachment_file, name="attachment_file"),
]
