"""URLs of the standalone key server process (`chorus keyserver`): nothing but the OPRF."""

from django.urls import path

from chorus.keyserver import api

urlpatterns = [
    path("v1/public-key", api.public_key, name="keyserver_public_key"),
    path("v1/evaluate", api.evaluate, name="keyserver_evaluate"),
]
