"""WSGI entry point: Django's application, with the voice lane in front (chorus.api.lane)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorus.config.settings")
django_application = get_wsgi_application()

from chorus.api.lane import VoiceLane  # noqa: E402  (needs the apps that the line above loads)

application = VoiceLane(django_application)
