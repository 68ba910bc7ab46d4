"""What every route shares: the store, the parties and zones, the rules in force, the hub.

One ``Server`` per app. Release rules are read from the store at start and again after a
route changes one (this process is the only one changing them); ship types are read at
start, then learnt from each commit, so a vessel's party is the same on every path.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from shade.access import ReleaseRules, Viewer
from shade.accounts import Throttle, User
from shade.api.errors import ForbiddenError
from shade.api.hub import Hub
from shade.config import Settings
from shade.detect.roster import Roster
from shade.detect.zones import Zone
from shade.ledger import Signers
from shade.parties import Parties
from shade.store import Store


@dataclass
class Server:
    store: Store
    parties: Parties
    zones: tuple[Zone, ...]
    settings: Settings
    hub: Hub
    web: Path | None = None  # the built browser view, if any
    signers: Signers = field(default_factory=Signers)  # the ledger keys held here
    throttle: Throttle = field(init=False)

    def __post_init__(self) -> None:
        window = timedelta(minutes=self.settings.login_window_minutes)
        self.throttle = Throttle(self.settings.login_attempts, window)

    @classmethod
    def open(
        cls,
        store: Store,
        parties: Parties,
        zones: tuple[Zone, ...] = (),
        settings: Settings | None = None,
        web: Path | None = None,
        signers: Signers | None = None,
    ) -> Server:
        settings = settings or store.settings
        roster = Roster(parties)
        for mmsi, ship_type in store.ship_types().items():
            roster.know(mmsi, ship_type)
        hub = Hub(
            [party.id for party in parties.parties],
            roster,
            read_rules(store, parties),
            settings.ws_keep_frames,
            store.latest_time(),
        )
        return cls(store, parties, zones, settings, hub, web, signers or Signers())

    def viewer(self, user: User) -> Viewer:
        """How ``user`` sees the picture: as their party (a server admin with no party sees
        neutral vessels only). ForbiddenError if their party is not in the parties file."""
        if user.party is not None and self.parties.get(user.party) is None:
            raise ForbiddenError(f"party {user.party!r} of user {user.name!r} is not served here")
        return self.hub.viewer(user.party)

    def clock(self) -> datetime:
        """The wall clock (UTC): hotline times are the server's, not the feed's."""
        return self.hub.clock()

    def rules_changed(self) -> None:
        self.hub.set_rules(read_rules(self.store, self.parties))


def read_rules(store: Store, parties: Parties) -> ReleaseRules:
    """The stored rules between parties of this file (rules naming others are kept in the
    store, unused here)."""
    known = {party.id for party in parties.parties}
    rows = [asdict(row) for row in store.release_rules() if {row.owner, row.viewer} <= known]
    return ReleaseRules.from_list(rows, parties)
