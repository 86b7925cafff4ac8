from django.apps import AppConfig


class CountsConfig(AppConfig):
    name = "chorus.counts"
    label = "counts"
