from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "chorus.workspace"
    label = "workspace"
