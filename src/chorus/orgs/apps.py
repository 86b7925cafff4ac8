from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "chorus.orgs"
    label = "orgs"
