"""Chorus: infrastructure for survivors of sexual harassment and assault."""
