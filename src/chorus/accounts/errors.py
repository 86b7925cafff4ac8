"""Errors of codename accounts, with messages a survivor can act on."""

from __future__ import annotations

from chorus.core.errors import ChorusError


class AccountError(ChorusError):
    code = "account_invalid"


class AccountNoMatchError(AccountError):
    """The one answer to a wrong codename or recovery code, whichever part was wrong."""

    status = 403
    code = "no_match"


class AccountExistsError(AccountError):
    status = 409
    code = "account_exists"
