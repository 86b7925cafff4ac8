from django.urls import path

from chorus.public import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("add", views.add, name="add"),
    path("thanks", views.thanks, name="thanks"),
    path("help", views.help_page, name="help"),
    path("numbers", views.numbers, name="numbers"),
    path("data", views.data_index, name="data"),
    path("data/snapshots/<int:snapshot_id>.csv", views.snapshot_csv, name="snapshot_csv"),
    path("data/snapshots/<int:snapshot_id>.json", views.snapshot_json, name="snapshot_json"),
    path("badge.svg", views.badge, name="badge"),
    path("pow/challenge", views.challenge, name="challenge"),
]
