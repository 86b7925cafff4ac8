from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "chorus.public"
    label = "public"
