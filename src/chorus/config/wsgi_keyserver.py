"""WSGI entry of the standalone key server: the site's settings with only the key server's URLs."""

import os

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorus.config.settings")
django.setup(set_prefix=False)
settings.ROOT_URLCONF = "chorus.config.urls_keyserver"
application = get_wsgi_application()
