"""Scenarios written as AIS, fed through the real ingest path with every detector on.

Each scenario is encoded to NMEA (``scenarios``), read from a file by the real source,
decoded, tracked, judged by every detector and stored (SQLite, or PostgreSQL with
--db=postgresql); the stored events must be exactly the expected ones. A neutral witness
ship far out in the Arabian Sea sails through every scenario, as a real feed always carries
other traffic (it moves the feed's clock on while a vessel is silent) and must cause nothing.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from shade.config import Settings
from shade.detect.events import Event, EventKind
from shade.detect.runner import Detection
from shade.detect.zones import Zone, load_zones
from shade.ingest.pipeline import Pipeline
from shade.ingest.sources import open_source
from shade.parties import parse_parties
from shade.store import Store
from shade.tracks.tracker import Tracker
from tests.conftest import SHARED_DATA
from tests.detect.scenarios import START, Voyage, nmea

ZONES = SHARED_DATA / "zones" / "goa_io_security_zones_transcribed.geojson"
PARTIES = parse_parties(
    {
        "parties": [
            {"id": "nato", "name": "NATO", "colour": "#1f4e9c", "mmsi": [235000001]},
            {"id": "plan", "name": "PLA Navy", "colour": "#c0392b", "mid": [412, 413, 414]},
        ]
    }
)


def witness(voyages: list[Voyage]) -> Voyage:
    """Sails as long as the longest voyage: when the feed ends, nobody is overdue."""
    minutes = max((voyage.minutes() for voyage in voyages), default=60)
    return Voyage(636000009, "WITNESS", 70, (15.5, 60.0), ((minutes, 90, 12.0),))


def westbound_lane() -> list[Zone]:
    zones = [zone for zone in load_zones(ZONES).zones if zone.id == "irtc_westbound_lane"]
    assert len(zones) == 1
    return zones


def run(tmp_path: Path, url: str, voyages: list[Voyage]) -> list[Event]:
    """Ingest the voyages (and the witness) with detection on; the stored events."""
    settings = Settings()
    capture = nmea([*voyages, witness(voyages)], tmp_path / "scenario.nmea")
    detection = Detection(settings, PARTIES, westbound_lane())
    with Store.open(url, settings) as store:
        source = open_source(str(capture), settings)
        stats = Pipeline(
            [source], Tracker(settings), store.write, settings, detection.observe
        ).run()
        assert stats.decoded > 0 and not stats.rejects and not stats.errors
        assert stats.aside == 0
        return store.events()


def minutes(event: Event, field: str = "start") -> float:
    at = getattr(event, field)
    return (at - START).total_seconds() / 60


def test_two_parties_warships_converging_make_one_encounter(tmp_path: Path, store_url: str) -> None:
    # Head-on on parallel tracks half a mile apart, closing at 30 knots from 29 nm.
    frigate = Voyage(235000001, "NATO FRIGATE", 35, (13.0, 49.75), ((120, 90, 15.0),))
    destroyer = Voyage(
        412000001, "PLAN DESTROYER", 35, (13.0 + 0.5 / 60, 50.25), ((120, 270, 15.0),)
    )
    events = run(tmp_path, store_url, [frigate, destroyer])
    assert [e.kind for e in events] == [EventKind.ENCOUNTER]
    (encounter,) = events
    assert encounter.mmsi == (235000001, 412000001)
    assert encounter.parties == ("nato", "plan")
    assert encounter.end is not None
    assert encounter.figures["closest_nm"] == pytest.approx(0.5, abs=0.06)
    # They meet after about 58 minutes: the alert opens as the CPA comes within 30 minutes
    # (15 nm apart), and closes once they have parted beyond 2 nm x 1.5.
    met = 58.4
    assert met - 31 <= minutes(encounter) <= met - 28
    assert met + 2 <= minutes(encounter, "end") <= met + 8


def test_a_vessel_crossing_the_irtc_lane_makes_one_zone_visit(
    tmp_path: Path, store_url: str
) -> None:
    # Southbound across the westbound lane at 49 E: its northern edge is at 13.25 N, its
    # southern at 13.1667 N; 9 nm to the lane at 12 knots, then 5 nm across.
    crosser = Voyage(538000002, "CROSSER", 70, (13.40, 49.0), ((100, 180, 12.0),))
    events = run(tmp_path, store_url, [crosser])
    assert [e.kind for e in events] == [EventKind.ZONE]
    (visit,) = events
    assert visit.mmsi == (538000002,)
    assert visit.parties == (None,)
    assert visit.figures["zone"] == "irtc_westbound_lane"
    assert 44.0 <= minutes(visit) <= 46.0
    assert visit.end is not None
    assert visit.figures["dwell_min"] == pytest.approx(25.0, abs=1.0)


def test_a_vessel_going_dark_makes_one_gap(tmp_path: Path, store_url: str) -> None:
    dark = Voyage(538000003, "DARK", 70, (14.0, 58.0), ((120, 45, 12.0),), silent=((30, 70),))
    events = run(tmp_path, store_url, [dark])
    assert [e.kind for e in events] == [EventKind.GAP]
    (gap,) = events
    assert gap.mmsi == (538000003,)
    assert gap.end is not None
    # Last report at 29 min 40 s, back at 70 min: 40 min 20 s at 12 knots.
    assert gap.figures["gap_min"] == pytest.approx(40.33, abs=0.1)
    assert gap.figures["distance_nm"] == pytest.approx(12 * 40.33 / 60, abs=0.1)
    assert gap.figures["implied_knots"] == pytest.approx(12.0, abs=0.3)
    assert gap.figures["zone"] is None


def test_two_vessels_meeting_for_three_hours_make_a_rendezvous(
    tmp_path: Path, store_url: str
) -> None:
    # Side by side 200 m apart at 1 knot for three hours, then apart at 12 knots. Each one
    # also loiters (under 2 knots for over an hour, far from shore): that is expected.
    first = Voyage(538000004, "FIRST", 70, (14.0, 62.0), ((180, 90, 1.0), (30, 0, 12.0)))
    second = Voyage(
        538000005, "SECOND", 70, (14.0 + 0.108 / 60, 62.0), ((180, 90, 1.0), (30, 30, 12.0))
    )
    events = run(tmp_path, store_url, [first, second])
    kinds = Counter(e.kind for e in events)
    assert kinds == {EventKind.RENDEZVOUS: 1, EventKind.LOITER: 2}
    (meeting,) = [e for e in events if e.kind is EventKind.RENDEZVOUS]
    assert meeting.mmsi == (538000004, 538000005)
    assert meeting.end is not None
    assert meeting.figures["duration_min"] == pytest.approx(180, abs=3)
    assert meeting.figures["closest_m"] == pytest.approx(200, abs=15)
    assert minutes(meeting) <= 2
    loiters = [e for e in events if e.kind is EventKind.LOITER]
    assert sorted(e.mmsi for e in loiters) == [(538000004,), (538000005,)]
    for loiter in loiters:
        assert loiter.end is not None
        assert loiter.figures["duration_min"] == pytest.approx(180, abs=3)


def test_the_witness_alone_makes_nothing(tmp_path: Path, store_url: str) -> None:
    assert run(tmp_path, store_url, []) == []
