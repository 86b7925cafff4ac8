"""Organisation reads that need no authorisation: what a reporter's browser may know."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from chorus.orgs.models import HandlerKey, Membership, Organisation


@dataclass(frozen=True)
class PublicKey:
    key_id: int
    suite: int
    public_key: bytes
    display_name: str


def organisation_by_slug(*, slug: str) -> Organisation | None:
    return Organisation.objects.filter(slug=slug).first()


def organisation_public_keys(*, organisation: Organisation) -> list[PublicKey]:
    """The active keys of the organisation's current members: the recipients a reporter's
    browser seals a case key to (reports.md §4). Admins receive cases too."""
    keys = (
        HandlerKey.objects.select_related("membership")
        .filter(
            membership__organisation=organisation,
            membership__removed__isnull=True,
            membership__user__is_active=True,
            retired__isnull=True,
        )
        .order_by("pk")
    )
    return [
        PublicKey(
            key_id=k.pk,
            suite=k.suite,
            public_key=bytes(k.public_key),
            display_name=k.membership.display_name,
        )
        for k in keys
    ]


def organisation_members(*, organisation: Organisation) -> list[Membership]:
    """Current members, admins first, each with whether they have made a key yet."""
    return list(
        Membership.objects.select_related("user")
        .filter(organisation=organisation, removed__isnull=True)
        .order_by("role", "display_name", "pk")
    )


def member_key_active(*, membership: Membership) -> HandlerKey | None:
    return HandlerKey.objects.filter(membership=membership, retired__isnull=True).first()


def membership_of(*, user_id: int) -> Membership | None:
    """The staff user's current membership, if they work for an organisation."""
    return (
        Membership.objects.select_related("organisation")
        .filter(user_id=user_id, removed__isnull=True)
        .first()
    )


@dataclass(frozen=True)
class OrganisationRow:
    slug: str
    name: str
    created_day: str
    members: int
    keys: int


def organisations_overview() -> list[OrganisationRow]:
    """Every organisation with its number of current members and of active keys: what the
    operator's page shows (an organisation with no key cannot receive reports yet)."""
    current = Q(memberships__removed__isnull=True)
    rows = Organisation.objects.annotate(
        members=Count("memberships", filter=current, distinct=True),
        keys=Count(
            "memberships__keys",
            filter=current & Q(memberships__keys__retired__isnull=True),
            distinct=True,
        ),
    ).order_by("name", "pk")
    return [
        OrganisationRow(
            slug=o.slug,
            name=o.name,
            created_day=o.created.date().isoformat(),
            members=o.members,
            keys=o.keys,
        )
        for o in rows
    ]
