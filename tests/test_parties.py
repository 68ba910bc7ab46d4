"""The parties file: who is in which party, which pairs are alerted, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from shade.config import Settings
from shade.errors import InputError, NotFoundError
from shade.parties import NEUTRAL, EncounterRule, load_parties, parse_parties

EXAMPLE = """
[[parties]]
id = "eunavfor"
name = "EU NAVFOR Atalanta"
colour = "#1F4E9C"
mmsi = [247321000, 224125000]

[[parties]]
id = "plan"
name = "PLA Navy escort task force"
colour = "#c0392b"
mmsi = [412000001]
mid = [412, 413, 414]
ship_types = [35]

[[parties]]
id = "cmf"
name = "Combined Maritime Forces"
colour = "#2e8b57"
mid = [412]

[encounters]
cpa_nm = 1.5
tcpa_minutes = 20
neutral = true

[[encounters.pairs]]
parties = ["plan", "eunavfor"]
cpa_nm = 3.0

[[encounters.pairs]]
parties = ["cmf", "neutral"]
enabled = false
"""


@pytest.fixture
def example(tmp_path: Path) -> Path:
    path = tmp_path / "parties.toml"
    path.write_text(EXAMPLE)
    return path


def test_membership_declared_then_flag_state_then_neutral(example: Path) -> None:
    parties = load_parties(example)
    assert [p.id for p in parties.parties] == ["eunavfor", "plan", "cmf"]
    assert parties.get("eunavfor") is not None
    assert parties.get("eunavfor").colour == "#1f4e9c"  # type: ignore[union-attr]
    assert parties.party_of(247321000) == "eunavfor"
    assert parties.party_of(412000001, ship_type=70) == "plan"  # declared: type irrelevant
    assert parties.party_of(413555000, ship_type=35) == "plan"  # flag state and type
    assert parties.party_of(413555000, ship_type=70) is None  # right flag, wrong type
    assert parties.party_of(413555000) is None  # type unknown: not claimed by a typed rule
    # Both "plan" (typed) and "cmf" (any type) claim MID 412 warships: the first wins.
    assert parties.party_of(412777000, ship_type=35) == "plan"
    assert parties.party_of(412777000, ship_type=70) == "cmf"
    assert parties.party_of(538000001, ship_type=35) is None


def test_rules_per_pair_and_for_neutral_vessels(example: Path) -> None:
    parties = load_parties(example)
    assert parties.rule("plan", "eunavfor") == EncounterRule(3.0, 20.0)
    assert parties.rule("eunavfor", "plan") == EncounterRule(3.0, 20.0)
    assert parties.rule("eunavfor", "cmf") == EncounterRule(1.5, 20.0)
    assert parties.rule("eunavfor", None) == EncounterRule(1.5, 20.0)  # neutral = true
    assert parties.rule("cmf", None) is None  # that pair is switched off
    assert parties.rule("plan", "plan") is None
    assert parties.rule(None, None) is None


def test_defaults_come_from_settings_and_neutral_is_off() -> None:
    parties = parse_parties(
        {"parties": [{"id": "a", "colour": "#000000"}, {"id": "b", "colour": "#ffffff"}]},
        Settings(encounter_cpa_nm=0.75, encounter_tcpa_minutes=12),
    )
    assert parties.rule("a", "b") == EncounterRule(0.75, 12.0)
    assert parties.rule("a", None) is None
    assert parties.get("a").name == "a"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[parties]]\nid = 'a b'\ncolour = '#000000'", "'id' must be letters"),
        (f"[[parties]]\nid = '{NEUTRAL}'\ncolour = '#000000'", "reserved"),
        ("[[parties]]\nid = 'a'\ncolour = 'blue'", "'colour' must be like"),
        ("[[parties]]\nid = 'a'\ncolour = '#000000'\nmmsi = ['x']", "'mmsi' has 'x'"),
        ("[[parties]]\nid = 'a'\ncolour = '#000000'\nmid = [99]", "'mid' has 99"),
        ("[[parties]]\nid = 'a'\ncolour = '#000000'\nflag = 1", "unknown key 'flag'"),
        (
            "[[parties]]\nid = 'a'\ncolour = '#000000'\n[[parties]]\nid = 'a'\ncolour = '#000000'",
            "used twice",
        ),
        (
            "[[parties]]\nid = 'a'\ncolour = '#000000'\nmmsi = [5]\n"
            "[[parties]]\nid = 'b'\ncolour = '#000000'\nmmsi = [5]",
            "MMSI 5 is declared by both 'a' and 'b'",
        ),
        ("[encounters]\ncpa_nm = -1", "'cpa_nm' must be a positive number"),
        ("[[encounters.pairs]]\nparties = ['x', 'y']", "no party 'x'"),
        ("[[encounters.pairs]]\nparties = ['neutral']", "a list of two party ids"),
        ("parties = 3", "array of tables"),
        ("colour = 3", "unknown key 'colour'"),
        ("[[parties]\n", "not valid TOML"),
    ],
)
def test_a_bad_file_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as caught:
        load_parties(path)
    assert str(path) in caught.value.message
    assert "\n" not in caught.value.message


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"nope\.toml"):
        load_parties(tmp_path / "nope.toml")
