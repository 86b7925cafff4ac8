from django.urls import path

from bench.baseline import views

urlpatterns = [path("api/v1/voices", views.hit)]
