from django.apps import AppConfig


class KeyserverConfig(AppConfig):
    name = "chorus.keyserver"
    label = "keyserver"
