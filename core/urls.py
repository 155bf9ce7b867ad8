from django.urls import path

from . import account_views, survey_views, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("akun/masuk/", views.LoginView.as_view(), name="login"),
    path("akun/keluar/", views.logout_view, name="logout"),
    path("akun/2fa/", views.two_factor, name="two_factor"),
    path("akun/daftar/", account_views.sign_up, name="sign_up"),
    path("survei/<str:token>/", survey_views.survey, name="survey"),
    path("kepuasan/", survey_views.satisfaction_index, name="satisfaction_index"),
    path("dasbor/", views.dashboard, name="dashboard"),
    path("akun/masuk-kode/", account_views.sign_in_code, name="sign_in_code"),
    path("akun/lupa-sandi/", account_views.password_reset, name="password_reset"),
    path("akun/kode/", account_views.code_enter, name="code_enter"),
    path("akun/sandi/", account_views.resident_password, name="resident_password"),
    path("akun/pesan/", account_views.resident_messages, name="resident_messages"),
    path("akun/operator/", views.operator_list, name="operator_list"),
    path("administrasi/", views.settings_home, name="settings_home"),
    path("administrasi/kantor/", views.agency_profile_edit, name="agency_profile_edit"),
    path("administrasi/pesan/", views.message_template_list, name="message_template_list"),
    path(
        "administrasi/pesan/<str:event>/<str:channel>/",
        views.message_template_edit,
        name="message_template_edit",
    ),
    path("administrasi/sistem-mitra/", views.api_client_list, name="api_client_list"),
    path("administrasi/sistem-mitra/baru/", views.api_client_create, name="api_client_create"),
    path(
        "administrasi/sistem-mitra/<int:pk>/kunci-baru/",
        views.api_key_create,
        name="api_key_create",
    ),
    path(
        "administrasi/sistem-mitra/<int:pk>/webhook/",
        views.webhook_subscriptions,
        name="webhook_subscriptions",
    ),
    path(
        "administrasi/webhook/<int:pk>/hentikan/",
        views.webhook_subscription_stop,
        name="webhook_subscription_stop",
    ),
    path("administrasi/kunci/<int:pk>/putar/", views.api_key_rotate, name="api_key_rotate"),
    path("administrasi/kunci/<int:pk>/cabut/", views.api_key_revoke, name="api_key_revoke"),
    path(
        "akun/operator/<int:pk>/aktifkan/",
        views.operator_set_active,
        {"active": True},
        name="operator_activate",
    ),
    path(
        "akun/operator/<int:pk>/nonaktifkan/",
        views.operator_set_active,
        {"active": False},
        name="operator_deactivate",
    ),
    path("administrasi/pengguna/", views.user_admin_list, name="user_admin_list"),
    path("administrasi/pengguna/baru/", views.user_admin_create, name="user_admin_create"),
    path("administrasi/pengguna/impor/", views.user_admin_onboard, name="user_admin_onboard"),
    path("administrasi/pengguna/<int:pk>/", views.user_admin_detail, name="user_admin_detail"),
    path(
        "administrasi/pengguna/<int:pk>/aktifkan/",
        views.user_admin_set_active,
        {"active": True},
        name="user_admin_activate",
    ),
    path(
        "administrasi/pengguna/<int:pk>/nonaktifkan/",
        views.user_admin_set_active,
        {"active": False},
        name="user_admin_deactivate",
    ),
    path(
        "administrasi/pengguna/<int:pk>/tautan-sandi/",
        views.user_admin_password_link,
        name="user_admin_password_link",
    ),
    path(
        "administrasi/pengguna/<int:pk>/kode-autentikator/",
        views.user_admin_setup_code,
        name="user_admin_setup_code",
    ),
    path("akun/sandi-baru/<uidb64>/<token>/", views.PasswordSetView.as_view(), name="password_set"),
    path("audit/", views.audit_event_list, name="audit_event_list"),
    path("pekerjaan/", views.job_list, name="job_list"),
    path("pekerjaan/<uuid:pk>/", views.job_detail, name="job_detail"),
    path("beban-kerja/", views.workload, name="workload"),
    path("pekerjaan/<uuid:pk>/laporan/", views.job_report, name="job_report"),
    path("laporan-bulanan/", views.monthly_report_list, name="monthly_report_list"),
    path(
        "laporan-bulanan/<int:pk>/<str:kind>/",
        views.monthly_report_file,
        name="monthly_report_file",
    ),
]
