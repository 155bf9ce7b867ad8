from django.urls import path

from silakso.steps import step_urls

from . import views
from .workflow import APPLICATION_FLOW, BATCH_FLOW, PROPOSAL_FLOW

app_name = "applications"

urlpatterns = [
    # residents (no account needed)
    path("", views.apply_start, name="apply_start"),
    path("ajukan/<slug:program_code>/", views.apply, name="apply"),
    path("terkirim/", views.apply_done, name="apply_done"),
    path("lacak/", views.track, name="track"),
    path("status/<str:code>/", views.status, name="status"),
    path("status/<str:code>/tarik/", views.withdraw, name="withdraw"),
    path("saya/", views.my_applications, name="my_applications"),
    path("sanggah/", views.objection_create, name="objection_create"),
    path("sanggah/terkirim/", views.objection_done, name="objection_done"),
    path("pengesahan/<str:token>/", views.batch_verify, name="batch_verify"),
    # officers
    path("daftar/", views.application_list, name="application_list"),
    path("baru/", views.intake_start, name="intake_start"),
    path("baru/<slug:program_code>/", views.intake, name="intake"),
    path("<int:pk>/", views.application_detail, name="application_detail"),
    path("<int:pk>/dokumen/<int:document_pk>/", views.document_file, name="document_file"),
    path("cek-lapangan/<int:pk>/foto/", views.field_check_photo, name="field_check_photo"),
    path("musyawarah/", views.deliberation_create, name="deliberation_create"),
    path("musyawarah/<int:pk>/dokumen/", views.deliberation_document, name="deliberation_document"),
    path("pembaruan/", views.proposal_list, name="proposal_list"),
    path("pembaruan/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("pembaruan/<int:pk>/isi/", views.proposal_fill, name="proposal_fill"),
    path("periode/", views.batch_list, name="batch_list"),
    path("periode/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("periode/<int:pk>/lampiran.pdf", views.batch_annex, name="batch_annex"),
    path("periode/<int:pk>/berkas/", views.batch_export_file, name="batch_export_file"),
    path("periode/<int:pk>/hasil/", views.batch_results, name="batch_results"),
    path("sanggahan/", views.objection_list, name="objection_list"),
    path("sanggahan/<int:pk>/", views.objection_detail, name="objection_detail"),
    path("sanggahan/<int:pk>/bukti/", views.objection_evidence, name="objection_evidence"),
    # the step pages of each flow, from the declarations in workflow.py
    *step_urls(APPLICATION_FLOW, views.application_action, prefix="<int:pk>/", name="application"),
    *step_urls(PROPOSAL_FLOW, views.proposal_action, prefix="pembaruan/<int:pk>/", name="proposal"),
    *step_urls(BATCH_FLOW, views.batch_action, prefix="periode/<int:pk>/", name="batch"),
]
