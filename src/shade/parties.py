"""The parties: who is who at sea, and which close encounters between them matter.

A party (a navy, a coalition, a coast guard) has an id, a name, a colour and its units: the
MMSIs it declares, and optionally every vessel of some flag states (MID, the first three
digits of a ship's MMSI), narrowed to some ship types. A vessel in no party is neutral
(``None``). The detectors ask ``party_of``; access control asks the same module.

The parties file is TOML::

    [[parties]]
    id = "eunavfor"               # letters, digits, '-', '_'; unique; not "neutral"
    name = "EU NAVFOR Atalanta"
    colour = "#1f4e9c"            # #rrggbb, for the map
    mmsi = [247321000, 224125000] # its declared units
    mid = [412, 413, 414]         # optional: every vessel of these flag states ...
    ship_types = [35]             # optional: ... of these AIS ship types (35: military)

    [encounters]                  # optional: the default rule for a pair of parties
    cpa_nm = 2.0                  # alert when the closest approach is under this ...
    tcpa_minutes = 30             # ... and at most this far ahead
    neutral = false               # whether party units are alerted about neutral vessels

    [[encounters.pairs]]          # optional: a rule for one pair ("neutral" may be one)
    parties = ["eunavfor", "plan"]
    cpa_nm = 3.0
    tcpa_minutes = 45
    enabled = true

A declared MMSI belongs to its party, whatever the flag-state rules say; a vessel matching
the flag-state rules of two parties belongs to the first in the file. Units of one party
are never alerted about each other; neutral vessels never about each other.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Final

from shade.config import Settings
from shade.errors import InputError, NotFoundError

NEUTRAL: Final = "neutral"  # the name of "no party" in rules and files
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_PARTY_KEYS: Final = {"id", "name", "colour", "mmsi", "mid", "ship_types"}
_RULE_KEYS: Final = {"cpa_nm", "tcpa_minutes", "neutral", "pairs"}
_PAIR_KEYS: Final = {"parties", "cpa_nm", "tcpa_minutes", "enabled"}


@dataclass(frozen=True)
class Party:
    id: str
    name: str
    colour: str  # "#rrggbb"
    mmsi: frozenset[int]  # declared units
    mid: frozenset[int] = frozenset()  # flag states whose vessels are the party's ...
    ship_types: frozenset[int] = frozenset()  # ... when of these types (empty: any type)

    def claims(self, mmsi: int, ship_type: int | None) -> bool:
        """Whether the flag-state rule takes the vessel (declared units aside)."""
        if not self.mid or mmsi // 1_000_000 not in self.mid:
            return False
        return not self.ship_types or ship_type in self.ship_types


@dataclass(frozen=True)
class EncounterRule:
    """When two vessels of a pair of parties are alerted about each other."""

    cpa_nm: float
    tcpa_minutes: float


@dataclass(frozen=True)
class Parties:
    parties: tuple[Party, ...] = ()
    default_rule: EncounterRule = EncounterRule(2.0, 30.0)
    neutral: bool = False  # party units alerted about neutral vessels, unless a pair says
    # Rules by pair of party ids (sorted; NEUTRAL for no party); None: the pair is off.
    pair_rules: Mapping[tuple[str, str], EncounterRule | None] = field(default_factory=dict)

    @cached_property
    def _declared(self) -> dict[int, str]:
        declared: dict[int, str] = {}
        for party in self.parties:
            for mmsi in party.mmsi:
                declared.setdefault(mmsi, party.id)
        return declared

    @cached_property
    def _by_id(self) -> dict[str, Party]:
        return {party.id: party for party in self.parties}

    def __len__(self) -> int:
        return len(self.parties)

    def get(self, party_id: str) -> Party | None:
        return self._by_id.get(party_id)

    def party_of(self, mmsi: int, ship_type: int | None = None) -> str | None:
        """The id of the vessel's party, or None for a neutral vessel."""
        found = self._declared.get(mmsi)
        if found is not None:
            return found
        for party in self.parties:
            if party.claims(mmsi, ship_type):
                return party.id
        return None

    def rule(self, a: str | None, b: str | None) -> EncounterRule | None:
        """The rule for vessels of parties a and b (None: neutral), or None if not alerted."""
        if a == b:
            return None  # one party's own units, or two neutral vessels
        key = _pair(a or NEUTRAL, b or NEUTRAL)
        if key in self.pair_rules:
            return self.pair_rules[key]
        if a is None or b is None:
            return self.default_rule if self.neutral else None
        return self.default_rule


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def load_parties(path: str | Path, settings: Settings | None = None) -> Parties:
    """Read a parties file; InputError (naming the file and the entry) if it is wrong."""
    settings = settings or Settings()
    file = Path(path)
    if not file.is_file():
        raise NotFoundError(f"parties file {file}: no such file")
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"parties file {file}: cannot be read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"parties file {file}: not valid TOML ({exc})") from None
    try:
        return parse_parties(data, settings)
    except InputError as exc:
        raise InputError(f"parties file {file}: {exc.message}") from None


def parse_parties(data: Mapping[str, Any], settings: Settings | None = None) -> Parties:
    """Parties from the parsed TOML (see the module docstring); InputError if wrong."""
    settings = settings or Settings()
    unknown = sorted(set(data) - {"parties", "encounters"})
    if unknown:
        raise InputError(f"unknown key {unknown[0]!r} (expected [[parties]], [encounters])")
    entries = data.get("parties", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InputError("'parties' must be an array of tables ([[parties]])")
    parties = tuple(_party(entry, k + 1) for k, entry in enumerate(entries))
    ids = [party.id for party in parties]
    for party_id in ids:
        if ids.count(party_id) > 1:
            raise InputError(f"party id {party_id!r} is used twice")
    owner: dict[int, str] = {}
    for party in parties:
        for mmsi in sorted(party.mmsi):
            if mmsi in owner:
                raise InputError(
                    f"MMSI {mmsi} is declared by both {owner[mmsi]!r} and {party.id!r}"
                )
            owner[mmsi] = party.id
    rules = data.get("encounters", {})
    if not isinstance(rules, dict):
        raise InputError("'encounters' must be a table")
    extra = sorted(set(rules) - _RULE_KEYS)
    if extra:
        raise InputError(f"[encounters]: unknown key {extra[0]!r}")
    default = EncounterRule(
        _number(rules, "cpa_nm", settings.encounter_cpa_nm, "[encounters]"),
        _number(rules, "tcpa_minutes", settings.encounter_tcpa_minutes, "[encounters]"),
    )
    neutral = rules.get("neutral", False)
    if not isinstance(neutral, bool):
        raise InputError("[encounters]: 'neutral' must be true or false")
    pair_rules: dict[tuple[str, str], EncounterRule | None] = {}
    pairs = rules.get("pairs", [])
    if not isinstance(pairs, list) or not all(isinstance(p, dict) for p in pairs):
        raise InputError("'encounters.pairs' must be an array of tables")
    known = {*ids, NEUTRAL}
    for k, pair in enumerate(pairs, start=1):
        where = f"[[encounters.pairs]] #{k}"
        extra = sorted(set(pair) - _PAIR_KEYS)
        if extra:
            raise InputError(f"{where}: unknown key {extra[0]!r}")
        names = pair.get("parties")
        if (
            not isinstance(names, list)
            or len(names) != 2
            or not all(isinstance(name, str) for name in names)
        ):
            raise InputError(f"{where}: 'parties' must be a list of two party ids")
        for name in names:
            if name not in known:
                raise InputError(f"{where}: no party {name!r}")
        if names[0] == names[1]:
            raise InputError(f"{where}: a rule is for two different parties")
        key = _pair(names[0], names[1])
        if key in pair_rules:
            raise InputError(f"{where}: a second rule for {key[0]!r} and {key[1]!r}")
        enabled = pair.get("enabled", True)
        if not isinstance(enabled, bool):
            raise InputError(f"{where}: 'enabled' must be true or false")
        pair_rules[key] = (
            EncounterRule(
                _number(pair, "cpa_nm", default.cpa_nm, where),
                _number(pair, "tcpa_minutes", default.tcpa_minutes, where),
            )
            if enabled
            else None
        )
    return Parties(parties, default, neutral, pair_rules)


def _party(entry: Mapping[str, Any], number: int) -> Party:
    where = f"[[parties]] #{number}"
    extra = sorted(set(entry) - _PARTY_KEYS)
    if extra:
        raise InputError(f"{where}: unknown key {extra[0]!r}")
    party_id = entry.get("id")
    if not isinstance(party_id, str) or not _ID.match(party_id):
        raise InputError(
            f"{where}: 'id' must be letters, digits, '-' or '_' (up to 64), not {party_id!r}"
        )
    if party_id == NEUTRAL:
        raise InputError(f"{where}: {NEUTRAL!r} is reserved for vessels in no party")
    where = f"party {party_id!r}"
    name = entry.get("name", party_id)
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"{where}: 'name' must be a non-empty string")
    colour = entry.get("colour")
    if not isinstance(colour, str) or not _COLOUR.match(colour):
        raise InputError(f"{where}: 'colour' must be like \"#1f4e9c\", not {colour!r}")
    return Party(
        party_id,
        name.strip(),
        colour.lower(),
        _ints(entry, "mmsi", where, 1, 999_999_999),
        _ints(entry, "mid", where, 200, 799),
        _ints(entry, "ship_types", where, 0, 99),
    )


def _ints(entry: Mapping[str, Any], key: str, where: str, low: int, high: int) -> frozenset[int]:
    values = entry.get(key, [])
    if not isinstance(values, list):
        raise InputError(f"{where}: {key!r} must be a list of whole numbers")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InputError(f"{where}: {key!r} has {value!r}, not a number in {low}..{high}")
    return frozenset(values)


def _number(entry: Mapping[str, Any], key: str, default: float, where: str) -> float:
    value = entry.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise InputError(f"{where}: {key!r} must be a positive number, not {value!r}")
    return float(value)
