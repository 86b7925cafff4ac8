from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "chorus.reports"
    label = "reports"
