from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.counts.facets import COUNTRY, DECADE, FORM, SECTOR, SETTING, Facet

PREFER_NOT = ("", _("Prefer not to say"))


def _field(facet: Facet, *, widget: type[forms.Widget]) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=facet.question,
        choices=[PREFER_NOT, *facet.choices]
        if widget is forms.Select
        else [*facet.choices, PREFER_NOT],
        required=False,
        widget=widget,
    )


class VoiceForm(forms.Form):
    """Only used to render the questions; validation is the domain's (voice_facts_parse)."""

    country = _field(COUNTRY, widget=forms.Select)
    setting = _field(SETTING, widget=forms.RadioSelect)
    sector = _field(SECTOR, widget=forms.Select)
    form = _field(FORM, widget=forms.RadioSelect)
    decade = _field(DECADE, widget=forms.RadioSelect)
