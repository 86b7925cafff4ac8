"""Case reads that need no authorisation of their own: callers pass a case they obtained through
chorus.reports.access, or a membership or account that is the reader's own."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from chorus.accounts.models import Account
from chorus.orgs.models import HandlerKey, Membership, Organisation
from chorus.reports.models import Case, CaseExclusion, Message, Note, Supporter

#: Counts shown to admins hide cells smaller than this (reports.md §9).
COUNT_MIN_CELL = 5
FEWER_THAN_MIN = "fewer than 5"


def member_cases(*, membership: Membership) -> list[Case]:
    """The cases of the member's organisation sealed to one of their keys, newest first; never
    held ones, never one they are excluded from. Each has `message_count` and
    `has_exclusions` (whether anyone was excluded; whom is shown only inside the case)."""
    return list(
        Case.objects.filter(organisation_id=membership.organisation_id)
        .filter(keys__key__membership=membership)
        .exclude(status=Case.Status.HELD)
        .exclude(exclusions__membership=membership)
        .select_related("assignee")
        .annotate(
            message_count=Count("messages", distinct=True),
            has_exclusions=Exists(CaseExclusion.objects.filter(case=OuterRef("pk"))),
        )
        .order_by("-created_day", "-pk")
    )


def case_messages(*, case: Case) -> list[Message]:
    return list(
        Message.objects.filter(case=case).select_related("author_membership").order_by("number")
    )


def case_notes(*, case: Case) -> list[Note]:
    return list(Note.objects.filter(case=case).select_related("membership").order_by("number"))


def case_assignable(*, case: Case) -> list[Membership]:
    """Current members who hold a case key of `case` (so can open it) and are not excluded."""
    return list(
        Membership.objects.filter(organisation_id=case.organisation_id)
        .filter(removed__isnull=True)
        .filter(user__is_active=True)
        .filter(keys__case_keys__case=case)
        .exclude(exclusions__case=case)
        .distinct()
        .order_by("display_name", "pk")
    )


def case_excluded_names(*, case: Case) -> list[str]:
    return sorted(m.display_name for m in Membership.objects.filter(exclusions__case=case))


def case_grantable_key(*, case: Case, key_id: int) -> HandlerKey | None:
    """The active key `key_id` of a current member of the case's organisation who is not
    excluded from it, or None."""
    return (
        HandlerKey.objects.filter(pk=key_id)
        .filter(retired__isnull=True)
        .filter(membership__organisation_id=case.organisation_id)
        .filter(membership__removed__isnull=True)
        .filter(membership__user__is_active=True)
        .exclude(membership__exclusions__case=case)
        .first()
    )


def survivor_cases(*, account: Account) -> list[tuple[Case, str]]:
    """The cases the survivor sent (held ones too) and those they support (accepted, not
    removed, not held), newest first, each with "reporter" or "supporter" and `message_count`."""
    supported = Supporter.objects.filter(
        account=account, accepted__isnull=False, removed__isnull=True
    ).values("case_id")
    cases = (
        Case.objects.filter(
            Q(reporter_account=account) | (Q(pk__in=supported) & ~Q(status=Case.Status.HELD))
        )
        .select_related("organisation")
        .annotate(message_count=Count("messages", distinct=True))
        .order_by("-created_day", "-pk")
    )
    return [(c, "reporter" if c.reporter_account_id == account.pk else "supporter") for c in cases]


def case_supporters(*, case: Case) -> list[Supporter]:
    """The reporter's supporters who are not removed: accepted ones and live invitations."""
    return list(
        Supporter.objects.filter(case=case, removed__isnull=True)
        .filter(Q(accepted__isnull=False) | Q(invite_expires__gt=timezone.now()))
        .order_by("pk")
    )


def _cell(count: int) -> int | str:
    return count if count >= COUNT_MIN_CELL else FEWER_THAN_MIN


def case_counts(*, organisation: Organisation) -> dict[str, dict[str, int | str]]:
    """The organisation's cases by status and by mode (held ones are not counted: they are
    invisible until released), each cell ≥ 5 or "fewer than 5"."""
    cases = Case.objects.filter(organisation=organisation).exclude(status=Case.Status.HELD)
    by_status = dict(cases.values_list("status").annotate(n=Count("pk")).order_by())
    by_mode = dict(cases.values_list("mode").annotate(n=Count("pk")).order_by())
    return {
        "by_status": {
            s: _cell(by_status.get(s, 0)) for s in Case.Status.values if s != Case.Status.HELD
        },
        "by_mode": {m: _cell(by_mode.get(m, 0)) for m in Case.Mode.values},
    }
