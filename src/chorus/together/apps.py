from django.apps import AppConfig


class TogetherConfig(AppConfig):
    name = "chorus.together"
    label = "together"
