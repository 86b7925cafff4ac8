from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("chorus.api.urls")),
    path("workspace/", include("chorus.workspace.urls")),
    path("", include("chorus.public.urls")),
]
