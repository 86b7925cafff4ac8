from django.urls import path

from chorus.api.v1 import api

urlpatterns = [path("", api.urls)]
