"""Organisations registered on this Chorus, their admins and handlers, and handlers' keys."""
