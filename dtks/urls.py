from django.urls import path

from . import views

app_name = "dtks"

urlpatterns = [
    path("wilayah/", views.region_list, name="region_list"),
    path("wilayah/muat-ulang/", views.region_reload, name="region_reload"),
]
