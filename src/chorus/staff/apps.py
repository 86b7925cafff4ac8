from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "chorus.staff"
    label = "staff"
