from django.apps import AppConfig


class CliConfig(AppConfig):
    name = "chorus.cli"
    label = "cli"
