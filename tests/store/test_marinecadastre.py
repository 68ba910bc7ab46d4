"""Import of the real MarineCadastre CSV (US Coast Guard / NOAA AIS), and of broken rows."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from shade.errors import InputError, NotFoundError
from shade.store import Store
from shade.store.marinecadastre import COLUMNS, CsvImport, import_marinecadastre_csv
from shade.store.schema import vessels
from shade.tracks.model import Point
from tests.conftest import MARINECADASTRE_CSV, database


@pytest.fixture(scope="module")
def imported(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, CsvImport]]:
    with database(backend, tmp_path_factory.mktemp("marinecadastre")) as url:
        store = Store.open(url)
        seen: list[int] = []
        result = import_marinecadastre_csv(store, str(MARINECADASTRE_CSV), seen.append)
        assert seen and seen[-1] == MARINECADASTRE_CSV.stat().st_size  # progress to the end
        yield store, result
        store.close()


@pytest.fixture(scope="module")
def history(imported: tuple[Store, CsvImport]) -> list[Point]:
    store, _ = imported
    return [point for page in store.points_between() for point in page]


def count(points: list[Point], field: str, value: object = None) -> int:
    return sum(1 for point in points if getattr(point, field) == value)


def test_every_row_is_imported(imported: tuple[Store, CsvImport]) -> None:
    store, result = imported
    assert (result.rows, result.points, result.vessels) == (99_999, 99_999, 10_631)
    assert not result.bad_rows and result.bad_values == 0
    counts = store.counts()
    assert (counts["points"], counts["vessels"], counts["aside"]) == (99_999, 10_631, 0)


def test_not_available_values_become_null(history: list[Point]) -> None:
    # Counted in the file: Heading 511 (or otherwise >= 360), COG 360.0, SOG 102.3, and
    # Status empty on class B rows, which are message type 18.
    assert len(history) == 99_999
    assert count(history, "heading") == 52_255
    assert count(history, "course") == 14_023
    assert count(history, "speed") == 173
    assert count(history, "status") == 23_805
    assert count(history, "msg_type", 18) == 23_805


def test_a_class_b_vessel(imported: tuple[Store, CsvImport]) -> None:
    # 338148873,2022-01-03T00:00:00,33.60716,-117.91483,0.0,280.0,511,CAZADOR,,,37,,14,,,,B
    store, _ = imported
    first = store.track(338148873)[0]
    assert first == Point(
        338148873,
        datetime(2022, 1, 3, tzinfo=UTC),
        33.60716,
        -117.91483,
        0.0,
        280.0,
        None,
        None,
        18,
        "marinecadastre",
    )
    vessel = store.vessel(338148873)
    assert vessel is not None
    assert (vessel.shipname, vessel.callsign, vessel.imo, vessel.ship_type) == (
        "CAZADOR",
        None,
        None,
        37,
    )


def test_a_class_a_vessel_with_imo_and_dimensions(imported: tuple[Store, CsvImport]) -> None:
    # 367379190 EAGLE, IMO8207721, WTD4583, type 31, Length 28, Width 11, Draft 3.3.
    store, _ = imported
    vessel = store.search("WTD4583")[0]
    assert (vessel.mmsi, vessel.shipname, vessel.imo, vessel.ship_type, vessel.draught) == (
        367379190,
        "EAGLE",
        8207721,
        31,
        3.3,
    )
    # Its rows are not in time order in the file: the latest by time is its position.
    track = store.track(367379190)
    assert len(track) == 20 and track == sorted(track, key=lambda p: p.at)
    assert (vessel.at, vessel.lat, vessel.lon) == (track[-1].at, track[-1].lat, track[-1].lon)
    assert vessel.at == datetime(2022, 1, 3, 0, 23, 19, tzinfo=UTC)
    assert vessel.to_bow is None  # the file gives the length, not the antenna's place
    with store.engine.connect() as connection:
        row = connection.execute(
            select(vessels.c.length, vessels.c.width).where(vessels.c.mmsi == 367379190)
        ).one()
    assert tuple(row) == (28, 11)
    assert store.search("8207721")[0].mmsi == 367379190


def test_the_picture_over_the_imported_set(imported: tuple[Store, CsvImport]) -> None:
    store, _ = imported
    when = datetime(2022, 1, 3, 0, 25, 16, tzinfo=UTC)
    picture = store.vessels_at(when)
    # Computed here from the file alone: each vessel's latest row in [T - 1 h, T].
    latest: dict[int, tuple[datetime, float, float]] = {}
    with gzip.open(MARINECADASTRE_CSV, "rt", newline="") as handle:
        for row in csv.DictReader(handle):
            at = datetime.fromisoformat(row["BaseDateTime"]).replace(tzinfo=UTC)
            mmsi = int(row["MMSI"])
            if when - timedelta(hours=1) <= at <= when and (
                mmsi not in latest or at >= latest[mmsi][0]
            ):
                latest[mmsi] = (at, float(row["LAT"]), float(row["LON"]))
    assert len(picture) == len(latest) == 10_616
    assert {v.mmsi: (v.at, v.lat, v.lon) for v in picture} == latest
    assert [v.mmsi for v in picture] == sorted(latest)
    # A box around Los Angeles and Long Beach.
    box = (-118.5, 33.5, -117.9, 33.9)
    inside = [v.mmsi for v in store.vessels_at(when, bbox=box)]
    assert inside == sorted(
        m for m, (_, lat, lon) in latest.items() if 33.5 <= lat <= 33.9 and -118.5 <= lon <= -117.9
    )
    assert len(inside) > 100


def write_csv(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join([",".join(COLUMNS), *lines]) + "\n", encoding="utf-8")
    return path


GOOD = (
    "366000001,2022-01-03T00:00:00,40.5,-70.25,12.3,45.6,44,"
    "ONE,IMO1234567,CALL1,70,0,100,20,5.5,70,A"
)


def test_bad_rows_are_counted_not_fatal(store_url: str, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "broken.csv",
        [
            GOOD,
            "366000002,2022-01-03T00:00:00,40.5",  # cut short
            "NOTANUMBER,2022-01-03T00:00:00,40.5,-70.25,,,,,,,,,,,,,A",
            "0,2022-01-03T00:00:00,40.5,-70.25,,,,,,,,,,,,,A",
            "366000003,yesterday,40.5,-70.25,,,,,,,,,,,,,A",
            "366000004,2022-01-03T00:00:00,91.0,181.0,,,,,,,,,,,,,A",
            "366000005,2022-01-03T00:00:00,north,-70.25,,,,,,,,,,,,,A",
            "",  # blank lines are not rows
            # Good position, unreadable optional fields: kept, the fields null.
            '366000006,2022-01-03 00:01:00,40.5,-70.25,fast,x,y,"TWO, LTD",IMO?,,z,,,,,,B',
        ],
    )
    with Store.open(store_url) as store:
        result = import_marinecadastre_csv(store, str(path))
        assert (result.rows, result.points, result.vessels) == (8, 2, 2)
        assert dict(result.bad_rows) == {
            "bad_field_count": 1,
            "bad_mmsi": 2,
            "bad_time": 1,
            "bad_position": 2,
        }
        assert result.bad_values == 5
        two = store.track(366000006)[0]
        assert (two.speed, two.course, two.heading, two.msg_type) == (None, None, None, 18)
        vessel = store.vessel(366000006)
        assert vessel is not None and (vessel.shipname, vessel.imo) == ("TWO, LTD", None)
        one = store.vessel(366000001)
        assert one is not None and (one.imo, one.callsign, one.draught) == (1234567, "CALL1", 5.5)


def test_statics_that_change_are_updated(store_url: str, tmp_path: Path) -> None:
    later = GOOD.replace("00:00:00", "00:05:00").replace("ONE", "ONE RENAMED")
    path = write_csv(tmp_path / "renamed.csv", [GOOD, later])
    with Store.open(store_url) as store:
        import_marinecadastre_csv(store, str(path))
        vessel = store.vessel(366000001)
    assert vessel is not None and vessel.shipname == "ONE RENAMED"


def test_columns_in_another_order_and_batches(store_url: str, tmp_path: Path) -> None:
    columns = list(reversed(COLUMNS))
    rows = [
        ",".join(reversed(GOOD.replace("00:00:00", f"00:{i // 60:02d}:{i % 60:02d}").split(",")))
        for i in range(25)
    ]
    path = tmp_path / "reversed.csv"
    path.write_text("\n".join([",".join(columns), *rows]) + "\n", encoding="utf-8")
    from shade.config import Settings

    with Store.open(store_url, Settings(ingest_batch_size=7)) as store:
        result = import_marinecadastre_csv(store, str(path))
        assert result.points == 25 and len(store.track(366000001)) == 25


def test_not_a_marinecadastre_file(store_url: str, tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with Store.open(store_url) as store:
        with pytest.raises(InputError, match="no column MMSI"):
            import_marinecadastre_csv(store, str(other))
        with pytest.raises(InputError, match="empty"):
            import_marinecadastre_csv(store, str(empty))
        with pytest.raises(NotFoundError):
            import_marinecadastre_csv(store, str(tmp_path / "missing.csv"))
