from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "chorus.records"
    label = "records"
