"""Tests for the pure-data geography module (no Django needed)."""

from __future__ import annotations

import dataclasses
import re
import string

import pytest

from chorus.counts.geography import (
    COUNTRIES,
    COUNTRY_BY_CODE,
    ISIC_SECTIONS,
    REGIONS,
    SUBREGION_REGION,
    SUBREGIONS,
    Country,
)

M49_SUBREGIONS = {
    "northern-africa",
    "sub-saharan-africa",
    "latin-america-and-the-caribbean",
    "northern-america",
    "central-asia",
    "eastern-asia",
    "south-eastern-asia",
    "southern-asia",
    "western-asia",
    "eastern-europe",
    "northern-europe",
    "southern-europe",
    "western-europe",
    "australia-and-new-zealand",
    "melanesia",
    "micronesia",
    "polynesia",
}


def test_covers_all_249_iso_3166_1_codes() -> None:
    assert len(COUNTRIES) == 249


def test_country_codes_are_unique() -> None:
    codes = [country.code for country in COUNTRIES]
    assert len(set(codes)) == len(codes)


def test_country_codes_are_two_uppercase_letters() -> None:
    for country in COUNTRIES:
        assert re.fullmatch(r"[A-Z]{2}", country.code), country


def test_countries_are_ordered_by_code() -> None:
    codes = [country.code for country in COUNTRIES]
    assert codes == sorted(codes)


def test_kosovo_is_left_out_because_it_is_not_iso_assigned() -> None:
    assert "XK" not in COUNTRY_BY_CODE


def test_every_country_has_a_non_blank_name() -> None:
    for country in COUNTRIES:
        assert country.name.strip() == country.name, country
        assert country.name, country


def test_every_country_has_a_known_region() -> None:
    for country in COUNTRIES:
        assert country.region in REGIONS, country


def test_every_country_has_a_known_subregion() -> None:
    for country in COUNTRIES:
        assert country.subregion in SUBREGIONS, country


def test_every_subregion_lies_in_its_countrys_region() -> None:
    for country in COUNTRIES:
        assert SUBREGION_REGION[country.subregion] == country.region, country


def test_regions_are_the_five_m49_regions_then_antarctica() -> None:
    assert list(REGIONS.items()) == [
        ("africa", "Africa"),
        ("americas", "Americas"),
        ("asia", "Asia"),
        ("europe", "Europe"),
        ("oceania", "Oceania"),
        ("antarctica", "Antarctica"),
    ]


def test_subregions_are_the_m49_subregions_plus_antarctica() -> None:
    assert set(SUBREGIONS) == M49_SUBREGIONS | {"antarctica"}


def test_every_region_and_subregion_is_used() -> None:
    assert {country.region for country in COUNTRIES} == set(REGIONS)
    assert {country.subregion for country in COUNTRIES} == set(SUBREGIONS)


def test_only_antarctica_is_in_the_antarctica_region() -> None:
    assert [c.code for c in COUNTRIES if c.region == "antarctica"] == ["AQ"]
    assert COUNTRY_BY_CODE["AQ"].subregion == "antarctica"


@pytest.mark.parametrize(
    ("code", "region", "subregion"),
    [
        ("FR", "europe", "western-europe"),
        ("DE", "europe", "western-europe"),
        ("SE", "europe", "northern-europe"),
        ("GB", "europe", "northern-europe"),
        ("IT", "europe", "southern-europe"),
        ("RU", "europe", "eastern-europe"),
        ("MX", "americas", "latin-america-and-the-caribbean"),
        ("BR", "americas", "latin-america-and-the-caribbean"),
        ("US", "americas", "northern-america"),
        ("CA", "americas", "northern-america"),
        ("GL", "americas", "northern-america"),
        ("NG", "africa", "sub-saharan-africa"),
        ("ZA", "africa", "sub-saharan-africa"),
        ("EG", "africa", "northern-africa"),
        ("SD", "africa", "northern-africa"),
        ("IN", "asia", "southern-asia"),
        ("IR", "asia", "southern-asia"),
        ("JP", "asia", "eastern-asia"),
        ("TW", "asia", "eastern-asia"),
        ("ID", "asia", "south-eastern-asia"),
        ("KZ", "asia", "central-asia"),
        ("TR", "asia", "western-asia"),
        ("CY", "asia", "western-asia"),
        ("AU", "oceania", "australia-and-new-zealand"),
        ("NZ", "oceania", "australia-and-new-zealand"),
        ("FJ", "oceania", "melanesia"),
        ("GU", "oceania", "micronesia"),
        ("WS", "oceania", "polynesia"),
        ("AQ", "antarctica", "antarctica"),
    ],
)
def test_country_is_placed_in_its_m49_region(code: str, region: str, subregion: str) -> None:
    country = COUNTRY_BY_CODE[code]
    assert (country.region, country.subregion) == (region, subregion)


@pytest.mark.parametrize(
    ("code", "region", "subregion"),
    [
        # Territories whose M49 placement is easy to get wrong.
        ("BV", "americas", "latin-america-and-the-caribbean"),
        ("GS", "americas", "latin-america-and-the-caribbean"),
        ("IO", "africa", "sub-saharan-africa"),
        ("TF", "africa", "sub-saharan-africa"),
        ("SH", "africa", "sub-saharan-africa"),
        ("HM", "oceania", "australia-and-new-zealand"),
        ("CX", "oceania", "australia-and-new-zealand"),
        ("UM", "oceania", "micronesia"),
        ("PM", "americas", "northern-america"),
        ("GG", "europe", "northern-europe"),
        ("AX", "europe", "northern-europe"),
    ],
)
def test_territory_is_placed_in_its_m49_region(code: str, region: str, subregion: str) -> None:
    country = COUNTRY_BY_CODE[code]
    assert (country.region, country.subregion) == (region, subregion)


def test_country_by_code_indexes_every_country() -> None:
    assert len(COUNTRY_BY_CODE) == len(COUNTRIES)
    for country in COUNTRIES:
        assert COUNTRY_BY_CODE[country.code] is country


def test_country_names_use_common_short_forms() -> None:
    assert COUNTRY_BY_CODE["BO"].name == "Bolivia"
    assert COUNTRY_BY_CODE["TR"].name == "Türkiye"
    assert COUNTRY_BY_CODE["VN"].name == "Viet Nam"
    assert COUNTRY_BY_CODE["GB"].name == "United Kingdom"
    assert COUNTRY_BY_CODE["US"].name == "United States"


def test_country_is_immutable() -> None:
    country = COUNTRY_BY_CODE["FR"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        country.name = "Gaul"  # type: ignore[misc]


def test_country_has_no_instance_dict() -> None:
    assert not hasattr(Country("ZZ", "Nowhere", "europe", "western-europe"), "__dict__")


def test_isic_has_21_sections_a_to_u_in_order() -> None:
    assert [letter for letter, _ in ISIC_SECTIONS] == list(string.ascii_uppercase[:21])


def test_isic_titles_match_the_un_wording() -> None:
    titles = dict(ISIC_SECTIONS)
    assert titles["A"] == "Agriculture, forestry and fishing"
    assert titles["C"] == "Manufacturing"
    assert titles["G"] == "Wholesale and retail trade; repair of motor vehicles and motorcycles"
    assert titles["J"] == "Information and communication"
    assert titles["O"] == "Public administration and defence; compulsory social security"
    assert titles["T"] == (
        "Activities of households as employers; undifferentiated goods- and "
        "services-producing activities of households for own use"
    )
    assert titles["U"] == "Activities of extraterritorial organizations and bodies"
