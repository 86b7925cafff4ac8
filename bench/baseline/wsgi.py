"""The baseline's WSGI application: Django alone, without Chorus's voice lane in front.

The baseline view answers the same path as the voices endpoint (POST /api/v1/voices), which
the lane would otherwise take; bench.baseline.settings names this module's application.
"""

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
