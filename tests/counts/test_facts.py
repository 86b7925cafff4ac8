import pytest
from hypothesis import given
from hypothesis import strategies as st

from chorus.counts.errors import CountsError
from chorus.counts.services import VoiceFacts, voice_facts_parse


def test_no_facts_at_all_is_a_valid_voice() -> None:
    assert voice_facts_parse({}) == VoiceFacts()


def test_known_facts_are_accepted_and_country_codes_normalised() -> None:
    facts = voice_facts_parse(
        {
            "country": " fr ",
            "setting": "workplace",
            "form": "verbal",
            "sector": "Q",
            "decade": "2010s",
        }
    )
    assert facts == VoiceFacts("FR", "workplace", "verbal", "Q", "2010s")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("country", "XX"),
        ("country", "France"),
        ("setting", "moon"),
        ("form", "VERBAL"),
        ("sector", "Z"),
        ("decade", "1850s"),
        ("decade", 1990),
        ("form", "x" * 100),
    ],
)
def test_an_unknown_value_is_refused_naming_its_field(field: str, value: object) -> None:
    with pytest.raises(CountsError) as caught:
        voice_facts_parse({field: value})
    assert set(caught.value.extra["fields"]) == {field}
    assert "Nothing was counted" in caught.value.message


def test_a_sector_needs_a_work_setting_or_none() -> None:
    assert voice_facts_parse({"sector": "P"}).sector == "P"
    with pytest.raises(CountsError) as caught:
        voice_facts_parse({"sector": "P", "setting": "online"})
    assert "linked to work" in caught.value.extra["fields"]["sector"]


@given(st.dictionaries(st.sampled_from(["country", "setting", "form", "sector", "decade", "x"]),
                       st.one_of(st.text(max_size=40), st.integers(), st.none())))  # fmt: skip
def test_any_input_either_parses_or_raises_a_counts_error(raw: dict[str, object]) -> None:
    try:
        facts: VoiceFacts | None = voice_facts_parse(raw)
    except CountsError as exc:
        facts, fields = None, exc.extra["fields"]
    assert facts is not None or fields
