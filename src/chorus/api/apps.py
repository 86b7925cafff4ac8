from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "chorus.api"
    label = "api"
