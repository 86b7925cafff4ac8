"""Reads about the key servers that need no authorisation."""

from __future__ import annotations

from django.conf import settings

from chorus.crypto import oprf


def keyserver_public_keys() -> list[bytes]:
    """The public keys the browser pins: this deployment's key server's, then the second one's."""
    config = settings.CONFIG
    keys = [oprf.public_key(config.oprf_key)]
    if config.keyserver_url is not None and config.keyserver_public_key is not None:
        keys.append(config.keyserver_public_key)
    return keys
