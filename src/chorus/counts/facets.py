"""The optional facts a voice may carry. Every one is a closed list; "" means "prefer not to say".

Forms of harm follow ILO Convention 190 (physical, psychological, sexual, economic harm) and the
Stop Street Harassment 2018 form list; settings follow C190 Art. 3 and SSH locations; sectors are
ISIC Rev.4 sections. A voice gives one value per fact: the *main* form and setting. Single choice
keeps each published table's sensitivity at 1 (docs/privacy/numbers.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from chorus.counts.geography import COUNTRIES, ISIC_SECTIONS

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as Promise
else:
    from django.utils.functional import Promise

NOT_SAID = ""


@dataclass(frozen=True)
class Facet:
    name: str
    label: Promise
    question: Promise
    choices: tuple[tuple[str, str | Promise], ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _label in self.choices)

    @cached_property
    def code_set(self) -> frozenset[str]:
        """For membership tests on the hot path of adding a voice."""
        return frozenset(self.codes)

    def label_of(self, code: str) -> str:
        if code == NOT_SAID:
            return str(_("Prefer not to say"))
        return str(dict(self.choices)[code])


SETTING = Facet(
    name="setting",
    label=_("Setting"),
    question=_("Where did it happen?"),
    choices=(
        ("workplace", _("At work, or linked to work")),
        ("education", _("At school, college or university")),
        ("public", _("In a public space or on transport")),
        ("online", _("Online")),
        ("home", _("At home, or by family")),
        ("other", _("Somewhere else")),
    ),
)
FORM = Facet(
    name="form",
    label=_("Form of harm"),
    question=_("What best describes it?"),
    choices=(
        ("verbal", _("Verbal: comments, jokes, questions, threats")),
        ("nonverbal", _("Non-verbal: staring, gestures, following, exposure")),
        ("physical", _("Physical: unwanted touching")),
        ("assault", _("Sexual assault or rape")),
        ("coercion", _("Pressure or quid pro quo: favours demanded for a job, grade or help")),
        ("online", _("Online abuse: messages, images, stalking online")),
        ("other", _("Something else")),
    ),
)
SECTOR = Facet(
    name="sector",
    label=_("Sector"),
    question=_("If it was linked to work: in which sector?"),
    choices=tuple((letter, title) for letter, title in ISIC_SECTIONS),
)
DECADE = Facet(
    name="decade",
    label=_("Decade"),
    question=_("When did it (first) happen?"),
    choices=(
        ("2020s", _("2020s")),
        ("2010s", _("2010s")),
        ("2000s", _("2000s")),
        ("1990s", _("1990s")),
        ("1980s", _("1980s")),
        ("1970s", _("1970s")),
        ("earlier", _("Before 1970")),
    ),
)
COUNTRY = Facet(
    name="country",
    label=_("Country"),
    question=_("In which country?"),
    choices=tuple((c.code, c.name) for c in sorted(COUNTRIES, key=lambda c: c.name)),
)

FACETS: tuple[Facet, ...] = (COUNTRY, SETTING, FORM, SECTOR, DECADE)
FACET_BY_NAME = {facet.name: facet for facet in FACETS}
