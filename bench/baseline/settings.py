"""Chorus's own settings, plus the baseline app, with the baseline view as the only URL.

Same middleware, database options, cache and WSGI server as Chorus: only the view differs.
"""

from chorus.config.settings import *  # noqa: F403
from chorus.config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench.baseline"]
ROOT_URLCONF = "bench.baseline.urls"
# `chorus serve` runs Django's WSGI_APPLICATION: plain Django, not Chorus's voice lane.
WSGI_APPLICATION = "bench.baseline.wsgi.application"
