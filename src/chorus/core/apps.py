from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "chorus.core"
    label = "core"

    def ready(self) -> None:
        from chorus.core import checks  # noqa: F401  (registers system checks)
