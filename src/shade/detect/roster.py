"""What the detectors know of each vessel besides its points: its party and ship type.

The roster learns ship types from the static data of each ``Update`` (or, over history, from
the store's vessels) and answers ``party`` through the parties file's rules, which may
depend on the ship type. Answers are remembered until the vessel's ship type changes.
"""

from __future__ import annotations

from collections.abc import Iterable

from shade.parties import Parties
from shade.tracks.model import Static


class Roster:
    def __init__(self, parties: Parties | None = None) -> None:
        self.parties = parties or Parties()
        self._ship_type: dict[int, int] = {}
        self._party: dict[int, str | None] = {}

    def learn(self, statics: Iterable[Static]) -> None:
        """Take the ship types carried by static data, in order."""
        for static in statics:
            kind = static.fields.get("ship_type")
            if isinstance(kind, int):
                self.know(static.mmsi, kind)

    def know(self, mmsi: int, ship_type: int | None) -> None:
        """Set a vessel's ship type directly (from the store's vessels table)."""
        if ship_type is not None and self._ship_type.get(mmsi) != ship_type:
            self._ship_type[mmsi] = ship_type
            self._party.pop(mmsi, None)

    def ship_type(self, mmsi: int) -> int | None:
        return self._ship_type.get(mmsi)

    def party(self, mmsi: int) -> str | None:
        """The vessel's party id, None if neutral."""
        try:
            return self._party[mmsi]
        except KeyError:
            found = self._party[mmsi] = self.parties.party_of(mmsi, self._ship_type.get(mmsi))
            return found
