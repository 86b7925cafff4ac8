"""Reference geography and industry classifications used to roll up published counts.

Pure data, importable without Django settings: every name is a plain English string and the
caller is responsible for translating it at display time.

Sources
-------
* Countries: every code assigned in ISO 3166-1 alpha-2 (249 of them). Names are the short
  English forms people recognise (ISO 3166 / UN usage, e.g. "Bolivia", "Türkiye", "Viet Nam").
* Regions and sub-regions: UN Statistics Division, "Standard country or area codes for
  statistical use" (M49), geographic regions overview. ``region`` is the M49 region and
  ``subregion`` the M49 sub-region, written as lowercase slugs. M49 intermediate regions
  (Caribbean, Central America, South America; Eastern, Middle, Southern and Western Africa;
  Channel Islands) are deliberately folded into their sub-region ("latin-america-and-the-
  caribbean", "sub-saharan-africa", "northern-europe").
* Industries: UN International Standard Industrial Classification of All Economic Activities,
  Revision 4 (ISIC Rev.4), sections A to U with their official English titles.

Deviations from M49
-------------------
* Antarctica (AQ) belongs to no M49 region (it sits directly under "World"). It is given a
  sixth region, and sub-region, "antarctica" of its own so that every ISO code rolls up
  somewhere without inflating another region.
* Taiwan (TW) is not listed separately in M49 (the UN counts it within China). It is placed
  in asia / eastern-asia, where its neighbours are.
* Kosovo (XK) is a user-assigned code, not an ISO 3166-1 assignment, and is left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

__all__ = [
    "COUNTRIES",
    "COUNTRY_BY_CODE",
    "ISIC_SECTIONS",
    "REGIONS",
    "SUBREGIONS",
    "SUBREGION_REGION",
    "Country",
]


@dataclass(frozen=True, slots=True)
class Country:
    """One ISO 3166-1 country or area and where M49 places it."""

    code: str
    """ISO 3166-1 alpha-2 code, uppercase."""
    name: str
    """Short English name."""
    region: str
    """Key of :data:`REGIONS`."""
    subregion: str
    """Key of :data:`SUBREGIONS`."""


REGIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "africa": "Africa",
        "americas": "Americas",
        "asia": "Asia",
        "europe": "Europe",
        "oceania": "Oceania",
        # Not an M49 region: M49 places Antarctica under "World" only. Used for AQ alone.
        "antarctica": "Antarctica",
    }
)

SUBREGIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "northern-africa": "Northern Africa",
        "sub-saharan-africa": "Sub-Saharan Africa",
        "latin-america-and-the-caribbean": "Latin America and the Caribbean",
        "northern-america": "Northern America",
        "central-asia": "Central Asia",
        "eastern-asia": "Eastern Asia",
        "south-eastern-asia": "South-eastern Asia",
        "southern-asia": "Southern Asia",
        "western-asia": "Western Asia",
        "eastern-europe": "Eastern Europe",
        "northern-europe": "Northern Europe",
        "southern-europe": "Southern Europe",
        "western-europe": "Western Europe",
        "australia-and-new-zealand": "Australia and New Zealand",
        "melanesia": "Melanesia",
        "micronesia": "Micronesia",
        "polynesia": "Polynesia",
        # Not an M49 sub-region; see the "antarctica" region.
        "antarctica": "Antarctica",
    }
)

# M49 membership, grouped by (region, sub-region). Within a sub-region that M49 splits into
# intermediate regions, entries are grouped by intermediate region (marked by a comment), then
# listed roughly alphabetically by their M49 name, so the table is easy to check by eye against
# the UN list. COUNTRIES below is the same data flattened and sorted by code.
_M49: Final[tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]] = (
    (
        "africa",
        "northern-africa",
        (
            ("DZ", "Algeria"),
            ("EG", "Egypt"),
            ("LY", "Libya"),
            ("MA", "Morocco"),
            ("SD", "Sudan"),
            ("TN", "Tunisia"),
            ("EH", "Western Sahara"),
        ),
    ),
    (
        "africa",
        "sub-saharan-africa",
        (
            # Eastern Africa
            ("IO", "British Indian Ocean Territory"),
            ("BI", "Burundi"),
            ("KM", "Comoros"),
            ("DJ", "Djibouti"),
            ("ER", "Eritrea"),
            ("ET", "Ethiopia"),
            ("TF", "French Southern Territories"),
            ("KE", "Kenya"),
            ("MG", "Madagascar"),
            ("MW", "Malawi"),
            ("MU", "Mauritius"),
            ("YT", "Mayotte"),
            ("MZ", "Mozambique"),
            ("RE", "Réunion"),
            ("RW", "Rwanda"),
            ("SC", "Seychelles"),
            ("SO", "Somalia"),
            ("SS", "South Sudan"),
            ("UG", "Uganda"),
            ("TZ", "Tanzania"),
            ("ZM", "Zambia"),
            ("ZW", "Zimbabwe"),
            # Middle Africa
            ("AO", "Angola"),
            ("CM", "Cameroon"),
            ("CF", "Central African Republic"),
            ("TD", "Chad"),
            ("CG", "Congo"),
            ("CD", "Democratic Republic of the Congo"),
            ("GQ", "Equatorial Guinea"),
            ("GA", "Gabon"),
            ("ST", "Sao Tome and Principe"),
            # Southern Africa
            ("BW", "Botswana"),
            ("SZ", "Eswatini"),
            ("LS", "Lesotho"),
            ("NA", "Namibia"),
            ("ZA", "South Africa"),
            # Western Africa
            ("BJ", "Benin"),
            ("BF", "Burkina Faso"),
            ("CV", "Cabo Verde"),
            ("CI", "Côte d'Ivoire"),
            ("GM", "Gambia"),
            ("GH", "Ghana"),
            ("GN", "Guinea"),
            ("GW", "Guinea-Bissau"),
            ("LR", "Liberia"),
            ("ML", "Mali"),
            ("MR", "Mauritania"),
            ("NE", "Niger"),
            ("NG", "Nigeria"),
            ("SH", "Saint Helena, Ascension and Tristan da Cunha"),
            ("SN", "Senegal"),
            ("SL", "Sierra Leone"),
            ("TG", "Togo"),
        ),
    ),
    (
        "americas",
        "latin-america-and-the-caribbean",
        (
            # Caribbean
            ("AI", "Anguilla"),
            ("AG", "Antigua and Barbuda"),
            ("AW", "Aruba"),
            ("BS", "Bahamas"),
            ("BB", "Barbados"),
            ("BQ", "Bonaire, Sint Eustatius and Saba"),
            ("VG", "British Virgin Islands"),
            ("KY", "Cayman Islands"),
            ("CU", "Cuba"),
            ("CW", "Curaçao"),
            ("DM", "Dominica"),
            ("DO", "Dominican Republic"),
            ("GD", "Grenada"),
            ("GP", "Guadeloupe"),
            ("HT", "Haiti"),
            ("JM", "Jamaica"),
            ("MQ", "Martinique"),
            ("MS", "Montserrat"),
            ("PR", "Puerto Rico"),
            ("BL", "Saint Barthélemy"),
            ("KN", "Saint Kitts and Nevis"),
            ("LC", "Saint Lucia"),
            ("MF", "Saint Martin (French part)"),
            ("VC", "Saint Vincent and the Grenadines"),
            ("SX", "Sint Maarten (Dutch part)"),
            ("TT", "Trinidad and Tobago"),
            ("TC", "Turks and Caicos Islands"),
            ("VI", "United States Virgin Islands"),
            # Central America
            ("BZ", "Belize"),
            ("CR", "Costa Rica"),
            ("SV", "El Salvador"),
            ("GT", "Guatemala"),
            ("HN", "Honduras"),
            ("MX", "Mexico"),
            ("NI", "Nicaragua"),
            ("PA", "Panama"),
            # South America
            ("AR", "Argentina"),
            ("BO", "Bolivia"),
            ("BV", "Bouvet Island"),
            ("BR", "Brazil"),
            ("CL", "Chile"),
            ("CO", "Colombia"),
            ("EC", "Ecuador"),
            ("FK", "Falkland Islands (Malvinas)"),
            ("GF", "French Guiana"),
            ("GY", "Guyana"),
            ("PY", "Paraguay"),
            ("PE", "Peru"),
            ("GS", "South Georgia and the South Sandwich Islands"),
            ("SR", "Suriname"),
            ("UY", "Uruguay"),
            ("VE", "Venezuela"),
        ),
    ),
    (
        "americas",
        "northern-america",
        (
            ("BM", "Bermuda"),
            ("CA", "Canada"),
            ("GL", "Greenland"),
            ("PM", "Saint Pierre and Miquelon"),
            ("US", "United States"),
        ),
    ),
    (
        "asia",
        "central-asia",
        (
            ("KZ", "Kazakhstan"),
            ("KG", "Kyrgyzstan"),
            ("TJ", "Tajikistan"),
            ("TM", "Turkmenistan"),
            ("UZ", "Uzbekistan"),
        ),
    ),
    (
        "asia",
        "eastern-asia",
        (
            ("CN", "China"),
            ("HK", "Hong Kong"),
            ("MO", "Macao"),
            ("KP", "North Korea"),
            ("JP", "Japan"),
            ("MN", "Mongolia"),
            ("KR", "South Korea"),
            # Not listed separately in M49 (counted within China there); placed here by us.
            ("TW", "Taiwan"),
        ),
    ),
    (
        "asia",
        "south-eastern-asia",
        (
            ("BN", "Brunei Darussalam"),
            ("KH", "Cambodia"),
            ("ID", "Indonesia"),
            ("LA", "Laos"),
            ("MY", "Malaysia"),
            ("MM", "Myanmar"),
            ("PH", "Philippines"),
            ("SG", "Singapore"),
            ("TH", "Thailand"),
            ("TL", "Timor-Leste"),
            ("VN", "Viet Nam"),
        ),
    ),
    (
        "asia",
        "southern-asia",
        (
            ("AF", "Afghanistan"),
            ("BD", "Bangladesh"),
            ("BT", "Bhutan"),
            ("IN", "India"),
            ("IR", "Iran"),
            ("MV", "Maldives"),
            ("NP", "Nepal"),
            ("PK", "Pakistan"),
            ("LK", "Sri Lanka"),
        ),
    ),
    (
        "asia",
        "western-asia",
        (
            ("AM", "Armenia"),
            ("AZ", "Azerbaijan"),
            ("BH", "Bahrain"),
            ("CY", "Cyprus"),
            ("GE", "Georgia"),
            ("IQ", "Iraq"),
            ("IL", "Israel"),
            ("JO", "Jordan"),
            ("KW", "Kuwait"),
            ("LB", "Lebanon"),
            ("OM", "Oman"),
            ("QA", "Qatar"),
            ("SA", "Saudi Arabia"),
            ("PS", "Palestine"),
            ("SY", "Syria"),
            ("TR", "Türkiye"),
            ("AE", "United Arab Emirates"),
            ("YE", "Yemen"),
        ),
    ),
    (
        "europe",
        "eastern-europe",
        (
            ("BY", "Belarus"),
            ("BG", "Bulgaria"),
            ("CZ", "Czechia"),
            ("HU", "Hungary"),
            ("PL", "Poland"),
            ("MD", "Moldova"),
            ("RO", "Romania"),
            ("RU", "Russia"),
            ("SK", "Slovakia"),
            ("UA", "Ukraine"),
        ),
    ),
    (
        "europe",
        "northern-europe",
        (
            ("AX", "Åland Islands"),
            ("DK", "Denmark"),
            ("EE", "Estonia"),
            ("FO", "Faroe Islands"),
            ("FI", "Finland"),
            # Channel Islands (an M49 intermediate region)
            ("GG", "Guernsey"),
            ("JE", "Jersey"),
            ("IS", "Iceland"),
            ("IE", "Ireland"),
            ("IM", "Isle of Man"),
            ("LV", "Latvia"),
            ("LT", "Lithuania"),
            ("NO", "Norway"),
            ("SJ", "Svalbard and Jan Mayen"),
            ("SE", "Sweden"),
            ("GB", "United Kingdom"),
        ),
    ),
    (
        "europe",
        "southern-europe",
        (
            ("AL", "Albania"),
            ("AD", "Andorra"),
            ("BA", "Bosnia and Herzegovina"),
            ("HR", "Croatia"),
            ("GI", "Gibraltar"),
            ("GR", "Greece"),
            ("VA", "Holy See"),
            ("IT", "Italy"),
            ("MT", "Malta"),
            ("ME", "Montenegro"),
            ("MK", "North Macedonia"),
            ("PT", "Portugal"),
            ("SM", "San Marino"),
            ("RS", "Serbia"),
            ("SI", "Slovenia"),
            ("ES", "Spain"),
        ),
    ),
    (
        "europe",
        "western-europe",
        (
            ("AT", "Austria"),
            ("BE", "Belgium"),
            ("FR", "France"),
            ("DE", "Germany"),
            ("LI", "Liechtenstein"),
            ("LU", "Luxembourg"),
            ("MC", "Monaco"),
            ("NL", "Netherlands"),
            ("CH", "Switzerland"),
        ),
    ),
    (
        "oceania",
        "australia-and-new-zealand",
        (
            ("AU", "Australia"),
            ("CX", "Christmas Island"),
            ("CC", "Cocos (Keeling) Islands"),
            ("HM", "Heard Island and McDonald Islands"),
            ("NZ", "New Zealand"),
            ("NF", "Norfolk Island"),
        ),
    ),
    (
        "oceania",
        "melanesia",
        (
            ("FJ", "Fiji"),
            ("NC", "New Caledonia"),
            ("PG", "Papua New Guinea"),
            ("SB", "Solomon Islands"),
            ("VU", "Vanuatu"),
        ),
    ),
    (
        "oceania",
        "micronesia",
        (
            ("GU", "Guam"),
            ("KI", "Kiribati"),
            ("MH", "Marshall Islands"),
            ("FM", "Micronesia"),
            ("NR", "Nauru"),
            ("MP", "Northern Mariana Islands"),
            ("PW", "Palau"),
            ("UM", "United States Minor Outlying Islands"),
        ),
    ),
    (
        "oceania",
        "polynesia",
        (
            ("AS", "American Samoa"),
            ("CK", "Cook Islands"),
            ("PF", "French Polynesia"),
            ("NU", "Niue"),
            ("PN", "Pitcairn"),
            ("WS", "Samoa"),
            ("TK", "Tokelau"),
            ("TO", "Tonga"),
            ("TV", "Tuvalu"),
            ("WF", "Wallis and Futuna"),
        ),
    ),
    # M49 has no region for Antarctica; see the module docstring.
    ("antarctica", "antarctica", (("AQ", "Antarctica"),)),
)

SUBREGION_REGION: Final[Mapping[str, str]] = MappingProxyType(
    {subregion: region for region, subregion, _ in _M49}
)
"""The region each sub-region rolls up into."""

COUNTRIES: Final[tuple[Country, ...]] = tuple(
    sorted(
        (
            Country(code=code, name=name, region=region, subregion=subregion)
            for region, subregion, members in _M49
            for code, name in members
        ),
        key=lambda country: country.code,
    )
)
"""Every ISO 3166-1 alpha-2 country or area, ordered by code."""

COUNTRY_BY_CODE: Final[dict[str, Country]] = {country.code: country for country in COUNTRIES}

ISIC_SECTIONS: Final[tuple[tuple[str, str], ...]] = (
    ("A", "Agriculture, forestry and fishing"),
    ("B", "Mining and quarrying"),
    ("C", "Manufacturing"),
    ("D", "Electricity, gas, steam and air conditioning supply"),
    ("E", "Water supply; sewerage, waste management and remediation activities"),
    ("F", "Construction"),
    ("G", "Wholesale and retail trade; repair of motor vehicles and motorcycles"),
    ("H", "Transportation and storage"),
    ("I", "Accommodation and food service activities"),
    ("J", "Information and communication"),
    ("K", "Financial and insurance activities"),
    ("L", "Real estate activities"),
    ("M", "Professional, scientific and technical activities"),
    ("N", "Administrative and support service activities"),
    ("O", "Public administration and defence; compulsory social security"),
    ("P", "Education"),
    ("Q", "Human health and social work activities"),
    ("R", "Arts, entertainment and recreation"),
    ("S", "Other service activities"),
    (
        "T",
        "Activities of households as employers; undifferentiated goods- and "
        "services-producing activities of households for own use",
    ),
    ("U", "Activities of extraterritorial organizations and bodies"),
)
"""ISIC Rev.4 sections as (letter, official English title), in order A to U."""
