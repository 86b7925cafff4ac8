"""OPRF evaluation with this deployment's key share, under per-account and per-deployment limits.

docs/protocols/escrow.md §5 and §13. The same service answers the app's own endpoint
(``/escrow/oprf``) and the standalone ``chorus keyserver`` process; the app also asks the second
key server, when one is configured, inside the same transaction, so a refusal there leaves this
server's count untouched.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils.translation import gettext as _

from chorus.crypto import oprf
from chorus.crypto.errors import InvalidElement
from chorus.crypto.suites import Mode
from chorus.keyserver import remote
from chorus.keyserver.errors import KeyserverError, KeyserverLimitError
from chorus.keyserver.models import Usage
from chorus.keyserver.wire import MAX_BATCH, Evaluation

#: The tag under which the whole deployment's evaluations are counted.
DEPLOYMENT_TAG = "deployment"
TAG_LABEL = b"chorus/keyserver/tag"
_TAG = re.compile(r"[0-9a-f]{64}")


def keyserver_account_tag(*, account_id: int) -> str:
    """A pseudonym of an account for the key servers' limits: HMAC-SHA256 under the app secret."""
    secret = settings.CONFIG.secret_key.encode("utf-8")
    return hmac.digest(secret, TAG_LABEL + str(account_id).encode("ascii"), "sha256").hex()


def tag_check(tag: str) -> str:
    if not _TAG.fullmatch(tag):
        raise KeyserverError(_("The account tag must be 64 lowercase hex digits."))
    return tag


def _today() -> date:
    return datetime.now(tz=UTC).date()


def _count(*, day: date, tag: str, n: int) -> int:
    """Add n to (day, tag) in one statement, atomic on SQLite and PostgreSQL; the new count."""
    table = connection.ops.quote_name(Usage._meta.db_table)
    count = connection.ops.quote_name("count")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, tag, {count}) VALUES (%s, %s, %s) "  # noqa: S608
            f"ON CONFLICT (day, tag) DO UPDATE SET {count} = {table}.{count} + excluded.{count} "
            f"RETURNING {count}",
            [connection.ops.adapt_datefield_value(day), tag, n],
        )
        (new_count,) = cursor.fetchone()
    return int(new_count)


@transaction.atomic
def keyserver_evaluate(*, blinded: Sequence[bytes], tag: str) -> Evaluation:
    """Evaluate a batch with this deployment's key share and prove it (RFC 9497 mode 1).

    Counts the batch against the tag's and the deployment's daily limits first; a request over
    either limit, or with an invalid element, evaluates nothing and counts nothing.
    """
    if not 1 <= len(blinded) <= MAX_BATCH:
        raise KeyserverError(
            _("Send between 1 and %(n)s blinded elements as a list.") % {"n": MAX_BATCH}
        )
    config, day = settings.CONFIG, _today()
    if cache.add(f"keyserver:forgot:{day.isoformat()}", True, timeout=86400):
        usage_forget_old(today=day)  # once a day per process: old counts limit nothing
    if _count(day=day, tag=tag_check(tag), n=len(blinded)) > config.oprf_limit_account:
        raise KeyserverLimitError(
            _(
                "You have checked as many names as one account may in a day. "
                "Please come back tomorrow; nothing was saved."
            )
        )
    if _count(day=day, tag=DEPLOYMENT_TAG, n=len(blinded)) > config.oprf_limit_deployment:
        raise KeyserverLimitError(
            _(
                "This site has reached its daily limit for checking names. "
                "Please come back tomorrow; nothing was saved."
            )
        )
    try:
        batch = oprf.blind_evaluate_batch(config.oprf_key, blinded, mode=Mode.VOPRF)
    except InvalidElement:
        raise KeyserverError(
            _("A blinded element is not a valid group element. Nothing was evaluated.")
        ) from None
    proof = batch.proof or b""  # mode 1 always proves
    return Evaluation(oprf.public_key(config.oprf_key), batch.evaluated_elements, proof)


def oprf_evaluate_for_account(*, account_id: int, blinded: Sequence[bytes]) -> list[Evaluation]:
    """Both key servers' answers for a signed-in survivor: this one's, then the second's."""
    tag = keyserver_account_tag(account_id=account_id)
    with transaction.atomic():
        answers = [keyserver_evaluate(blinded=blinded, tag=tag)]
        if settings.CONFIG.keyserver_url is not None:
            answers.append(remote.remote_evaluate(blinded=blinded, tag=tag))
    return answers


def usage_forget_old(*, today: date | None = None) -> int:
    """Delete counts of days before yesterday: they limit nothing any more."""
    today = _today() if today is None else today
    deleted, _unused = Usage.objects.filter(day__lt=today - timedelta(days=1)).delete()
    return deleted
