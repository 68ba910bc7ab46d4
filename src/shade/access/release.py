"""What each party releases of its own units to each other party: the releasability rules.

A rule is set by an owner party for one viewer party, and says how the owner's units appear
to that viewer's users:

    full        as they are, live
    delayed     as they were ``minutes`` ago (1 to 10080, a week): never anything newer
    coarsened   live, but only the cell of a grid of ``nm`` (0.1 to 600) nautical miles
                they are in, speed to the knot, course to 10 degrees, time to the minute
    hidden      not at all: as if they did not exist

and, apart from the mode, whether events naming the owner's units (encounters, zones,
gaps...) are released to the viewer even so (``events``): see ``shade.access.apply``.

What a viewer gets of a vessel (``ReleaseRules.rule(owner, viewer)``), first match wins:

1. a neutral vessel (owner None) is full to everyone, the viewer with no party included;
2. a party sees its own units full;
3. a viewer with no party (a server-wide admin) sees only neutral vessels: no party can
   set a rule for "no party", so nothing of any party reaches it;
4. the rule the owner set for this viewer;
5. else hidden: parties that are not allies share nothing until they decide to.

Rules are plain values here; ``to_dict``/``from_dict`` (one rule's values, as the store and
the API keep them) and ``ReleaseRules.to_list``/``from_list`` (records with owner and
viewer) are their plain form. Whoever applies them is ``shade.access.apply``, and only it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from shade.errors import InputError
from shade.parties import NEUTRAL, Parties

MAX_MINUTES: Final = 7 * 24 * 60  # a longer delay is hiding; say so with HIDDEN
MIN_NM: Final = 0.1
MAX_NM: Final = 600.0  # ten degrees of latitude
# As shade.parties has them.
_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_KEYS: Final = ("mode", "minutes", "nm", "events")


class Mode(StrEnum):
    FULL = "full"
    DELAYED = "delayed"
    COARSENED = "coarsened"
    HIDDEN = "hidden"


@dataclass(frozen=True)
class Release:
    """How an owner's units appear to one viewer. ``minutes`` is set for DELAYED only, ``nm``
    for COARSENED only (None otherwise, as the store keeps them); ``events`` releases the
    events naming the owner's units whatever the mode. InputError if the values do not fit.
    """

    mode: Mode
    minutes: int | None = None
    nm: float | None = None
    events: bool = False

    def __post_init__(self) -> None:
        try:
            mode = Mode(self.mode)
        except ValueError:
            modes = ", ".join(repr(m.value) for m in Mode)
            raise InputError(f"release mode must be one of {modes}, not {self.mode!r}") from None
        object.__setattr__(self, "mode", mode)
        minutes, nm = self.minutes, self.nm
        if mode is Mode.DELAYED:
            if (
                isinstance(minutes, bool)
                or not isinstance(minutes, int)
                or not 1 <= minutes <= MAX_MINUTES
            ):
                raise InputError(
                    f"a delayed release needs 'minutes', a whole number from 1 to "
                    f"{MAX_MINUTES}, not {minutes!r}"
                )
        elif minutes is not None:
            raise InputError(f"'minutes' is for a delayed release, not a {mode.value} one")
        if mode is Mode.COARSENED:
            if (
                isinstance(nm, bool)
                or not isinstance(nm, int | float)
                or not math.isfinite(nm)
                or not MIN_NM <= nm <= MAX_NM
            ):
                raise InputError(
                    f"a coarsened release needs 'nm', a grid size from {MIN_NM} to {MAX_NM} "
                    f"nautical miles, not {nm!r}"
                )
            object.__setattr__(self, "nm", float(nm))
        elif nm is not None:
            raise InputError(f"'nm' is for a coarsened release, not a {mode.value} one")
        if not isinstance(self.events, bool):
            raise InputError(f"'events' must be true or false, not {self.events!r}")

    def to_dict(self) -> dict[str, Any]:
        """{"mode", "minutes", "nm", "events"}: the plain form (None where unused)."""
        return {
            "mode": self.mode.value,
            "minutes": self.minutes,
            "nm": self.nm,
            "events": self.events,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Release:
        """The release from its plain form; "mode" is required, the others may be left out
        (or null) when the mode does not use them. InputError on anything else."""
        if not isinstance(data, Mapping):
            raise InputError(f"a release rule must be an object, not {type(data).__name__}")
        unknown = sorted(set(data) - set(_KEYS))
        if unknown:
            raise InputError(f"release rule: unknown key {unknown[0]!r} (expected {_KEYS})")
        if "mode" not in data:
            raise InputError("release rule: 'mode' is required")
        return cls(data["mode"], data.get("minutes"), data.get("nm"), data.get("events", False))


FULL: Final = Release(Mode.FULL)
HIDDEN: Final = Release(Mode.HIDDEN)


@dataclass(frozen=True)
class ReleaseRules:
    """The rules every owner party set, by (owner, viewer) party id. Neither may be
    "neutral" (neutral vessels are always full; a viewer with no party sees only them), and
    a party sets no rule for itself. InputError otherwise."""

    rules: Mapping[tuple[str, str], Release] = field(default_factory=dict)

    def __post_init__(self) -> None:
        rules = dict(self.rules)
        towards: dict[str, dict[str, Release]] = {}
        for key, release in rules.items():
            if not isinstance(key, tuple) or len(key) != 2:
                raise InputError(f"a release rule is keyed by (owner, viewer), not {key!r}")
            owner, viewer = key
            _check_pair(owner, viewer)
            if not isinstance(release, Release):
                raise InputError(f"rule {owner}->{viewer}: not a Release ({release!r})")
            towards.setdefault(viewer, {})[owner] = release
        object.__setattr__(self, "rules", rules)
        object.__setattr__(self, "_towards", towards)

    def rule(self, owner: str | None, viewer: str | None) -> Release:
        """How units of ``owner`` (None: neutral) appear to ``viewer`` (None: no party)."""
        if owner is None or owner == viewer:
            return FULL
        if viewer is None:
            return HIDDEN
        return self.rules.get((owner, viewer), HIDDEN)

    def towards(self, viewer: str | None) -> dict[str, Release]:
        """The rules set for ``viewer``, by owner (unset pairs are hidden)."""
        if viewer is None:
            return {}
        towards: dict[str, dict[str, Release]] = self._towards  # type: ignore[attr-defined]
        return dict(towards.get(viewer, {}))

    def with_rule(self, owner: str, viewer: str, release: Release | None) -> ReleaseRules:
        """These rules with the pair's rule set (None: removed, so back to hidden)."""
        _check_pair(owner, viewer)
        rules = dict(self.rules)
        if release is None:
            rules.pop((owner, viewer), None)
        else:
            rules[owner, viewer] = release
        return ReleaseRules(rules)

    def to_list(self) -> list[dict[str, Any]]:
        """Records {"owner", "viewer", "mode", "minutes", "nm", "events"}, by owner, viewer."""
        return [
            {"owner": owner, "viewer": viewer, **release.to_dict()}
            for (owner, viewer), release in sorted(self.rules.items())
        ]

    @classmethod
    def from_list(
        cls, records: Iterable[Mapping[str, Any]], parties: Parties | None = None
    ) -> ReleaseRules:
        """Rules from records as ``to_list`` makes them (other keys, such as the store's
        ``updated_at``, are ignored). With ``parties``, every id must be one of theirs.
        InputError on a bad record, or a second rule for a pair."""
        rules: dict[tuple[str, str], Release] = {}
        for number, record in enumerate(records, start=1):
            if not isinstance(record, Mapping):
                raise InputError(f"release rule #{number}: not an object")
            owner, viewer = record.get("owner"), record.get("viewer")
            where = f"release rule #{number} ({owner}->{viewer})"
            try:
                _check_pair(owner, viewer)
                release = Release.from_dict({k: record[k] for k in _KEYS if k in record})
            except InputError as exc:
                raise InputError(f"{where}: {exc.message}") from None
            assert isinstance(owner, str) and isinstance(viewer, str)  # checked above
            if parties is not None:
                for party_id in (owner, viewer):
                    if parties.get(party_id) is None:
                        raise InputError(f"{where}: no party {party_id!r}")
            if (owner, viewer) in rules:
                raise InputError(f"{where}: a second rule for the pair")
            rules[owner, viewer] = release
        return cls(rules)


def _check_pair(owner: object, viewer: object) -> None:
    for role, value in (("owner", owner), ("viewer", viewer)):
        if not isinstance(value, str) or not _ID.fullmatch(value):
            raise InputError(f"the {role} of a release rule must be a party id, not {value!r}")
        if value == NEUTRAL:
            raise InputError(
                f"{NEUTRAL!r} cannot be the {role} of a release rule: neutral vessels are "
                "visible to all, and a viewer with no party sees only them"
            )
    if owner == viewer:
        raise InputError(f"party {owner!r} always sees its own units: it sets no rule for itself")
