"""The organisation side: advocates (and later case handlers) sign in with TOTP here."""
