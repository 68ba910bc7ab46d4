"""Every detector end to end over real data: the MarineCadastre day (stored history, as
``shade detect`` runs) and the AMSA capture (live ingest, as ``shade ingest --detect``).

Real traffic has no known answer, so the events are checked against what each kind
promises (thresholds, vessels, times, figures), and the two parties are flag states so that
close encounters are looked for between thousands of vessels. docs/detect.md reports the
counts these runs give.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from shade.config import Settings
from shade.detect.events import Event, EventKind
from shade.detect.runner import Detection
from shade.detect.zones import load_zones
from shade.ingest.pipeline import Pipeline
from shade.ingest.sources import open_source
from shade.parties import Parties, parse_parties
from shade.store import Store
from shade.store.marinecadastre import import_marinecadastre_csv
from shade.tracks.model import Update
from shade.tracks.tracker import Tracker
from tests.conftest import AIS_NMEA, MARINECADASTRE_CSV, SHARED_DATA

ZONES = SHARED_DATA / "zones" / "goa_io_security_zones_transcribed.geojson"


def flag_parties(home: list[int]) -> Parties:
    """The ``home`` flag states against every other flag state."""
    others = [mid for mid in range(200, 800) if mid not in home]
    return parse_parties(
        {
            "parties": [
                {"id": "home", "colour": "#1f4e9c", "mid": home},
                {"id": "others", "colour": "#c0392b", "mid": others},
            ]
        }
    )


def check(events: list[Event], settings: Settings, parties: Parties) -> Counter[str]:
    """What each kind promises; the counts by kind."""
    assert len({event.id for event in events}) == len(events)
    for event in events:
        assert event.end is None or event.end >= event.start
        assert list(event.mmsi) == sorted(event.mmsi)
        # The parties go by flag state alone here: no ship type can change them.
        assert event.parties == tuple(parties.party_of(m) for m in event.mmsi)
        figures = event.figures
        if event.kind is EventKind.ENCOUNTER:
            assert len(event.mmsi) == 2 and event.parties[0] != event.parties[1]
            assert figures["closest_nm"] <= figures["distance_nm"] + 1e-9 or event.end is None
            assert figures["closest_nm"] < settings.encounter_search_nm
        elif event.kind is EventKind.GAP:
            assert len(event.mmsi) == 1
            if event.end is not None:
                assert figures["gap_min"] >= settings.gap_floor_minutes
        elif event.kind is EventKind.LOITER:
            assert figures["mean_knots"] < settings.loiter_max_knots
            if event.end is not None:
                assert figures["duration_min"] >= settings.loiter_min_minutes
        elif event.kind is EventKind.RENDEZVOUS:
            assert len(event.mmsi) == 2 and event.mmsi[0] != event.mmsi[1]
            assert figures["closest_m"] <= settings.rendezvous_distance_m
            assert figures["duration_min"] >= settings.rendezvous_min_minutes
            assert figures["median_knots"] < settings.rendezvous_max_knots
    return Counter(event.kind.value for event in events)


def test_marinecadastre_history(tmp_path: Path) -> None:
    settings = Settings()
    parties = flag_parties([366, 367, 368, 369])  # United States against the rest
    with Store.open(f"sqlite:///{tmp_path / 'mc.db'}", settings) as store:
        import_marinecadastre_csv(store, str(MARINECADASTRE_CSV))
        detection = Detection(settings, parties)
        for mmsi, ship_type in store.ship_types().items():
            detection.roster.know(mmsi, ship_type)
        points = 0
        for chunk in store.points_between(None, None):
            points += len(chunk)
            store.write_events(detection.observe(Update(chunk, [], [])))
        assert points == store.counts()["points"]
        counts = check(store.events(), settings, parties)
    # A day off the US coasts: ships meet and gaps are common; encounters between US
    # and foreign flags happen in every port approach.
    assert counts["gap"] > 0
    assert counts["encounter"] > 0
    assert sum(counts.values()) == sum(detection.opened.values())


def test_amsa_capture_live(tmp_path: Path) -> None:
    settings = Settings()
    parties = flag_parties([503])  # Australia against the rest
    zones = load_zones(ZONES).zones
    detection = Detection(settings, parties, zones)
    with Store.open(f"sqlite:///{tmp_path / 'amsa.db'}", settings) as store:
        capture = open_source(str(AIS_NMEA / "amsa_ais.txt.gz"), settings)
        stats = Pipeline(
            [capture], Tracker(settings), store.write, settings, detection.observe
        ).run()
        assert stats.points > 20_000
        counts = check(store.events(), settings, parties)
    # Off Australia, nothing is in the Gulf of Aden's zones.
    assert counts["zone"] == 0
    assert sum(counts.values()) == sum(detection.opened.values())
