"""What is written comes back exactly: points, kept-aside points, static fields, times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from shade.store import Store
from shade.tracks.model import AsideReason, Vessel
from tests.store.make import T0, at, point, static, update


def test_points_come_back_exactly(store_url: str) -> None:
    written = [
        point(seconds=0),
        point(seconds=1.000001, lat=-89.999999, lon=179.999999, speed=102.2, course=359.9),
        # Not-available values stay None; no source.
        point(seconds=2, speed=None, course=None, heading=None, status=None, source=None),
        point(seconds=3, msg_type=18, lat=0.1 + 0.2, lon=-1e-9),
    ]
    with Store.open(store_url) as store:
        store.write(update(written))
        back = store.track(written[0].mmsi)
    assert back == written
    assert all(p.at.tzinfo is UTC for p in back)
    assert back[1].at.microsecond == 123457 and back[1].lat == -89.999999


def test_a_large_batch_comes_back_in_the_order_it_was_written(store_url: str) -> None:
    """More points than one INSERT statement holds (500 rows on SQLite): the order of the
    batch is the order of the ids, so equal times come back as they were written."""
    written = [
        point(mmsi=366000000 + k % 7, seconds=k // 13, lat=k / 1000, speed=None if k % 5 else 1.5)
        for k in range(1234)
    ]
    kept = [
        (point(mmsi=366000100, seconds=k, lat=-k / 100), AsideReason.INLAND) for k in range(777)
    ]
    with Store.open(store_url) as store:
        store.write(update(written, kept))
        back = [p for page in store.points_between() for p in page]
        aside = store.aside(366000100)
        assert store.counts()["points"] == 1234
    assert back == sorted(written, key=lambda p: p.at)  # stable: equal times in batch order
    assert [(a.point, a.reason) for a in aside] == kept


def test_times_keep_every_microsecond_and_come_back_in_utc(store_url: str) -> None:
    plus_two = timezone(timedelta(hours=2))
    times = [
        datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2022, 1, 3, 2, 0, 0, 1, tzinfo=plus_two),  # 00:00:00.000001 UTC
        datetime(2038, 1, 19, 3, 14, 8, 500000, tzinfo=UTC),
    ]
    with Store.open(store_url) as store:
        store.write(update([point(seconds=0)._replace(at=t) for t in times]))
        back = [p.at for p in store.track(366000001)]
    assert back == times
    assert [t.isoformat() for t in back] == [
        "1999-12-31T23:59:59.999999+00:00",
        "2022-01-03T00:00:00.000001+00:00",
        "2038-01-19T03:14:08.500000+00:00",
    ]


def test_aside_points_come_back_with_their_reason(store_url: str) -> None:
    kept = [
        (point(seconds=5, lat=50.0), AsideReason.IMPOSSIBLE_SPEED),
        (point(seconds=6, speed=None, source=None), AsideReason.INLAND),
        (point(seconds=4), AsideReason.OUT_OF_ORDER),
    ]
    with Store.open(store_url) as store:
        store.write(update([point(seconds=1)], aside=kept))
        back = store.aside(366000001)
        assert store.track(366000001) == [point(seconds=1)]
        counts = store.counts()
    assert [(a.point, a.reason) for a in back] == sorted(kept, key=lambda k: k[0].at)
    assert all(isinstance(a.reason, AsideReason) for a in back)
    assert counts == {
        "points": 1,
        "vessels": 1,
        "events": 0,
        "aside": 3,
        "aside_impossible_speed": 1,
        "aside_inland": 1,
        "aside_out_of_order": 1,
    }


def test_static_fields_come_back_merged(store_url: str) -> None:
    eta = datetime(2022, 1, 5, 14, 30, tzinfo=UTC)
    with Store.open(store_url) as store:
        store.write(
            update(
                statics=[
                    static(
                        shipname="EAGLE",
                        callsign="WTD4583",
                        imo=8207721,
                        ship_type=31,
                        to_bow=20,
                        to_stern=8,
                        to_port=5,
                        to_starboard=6,
                        destination="MOBILE",
                        eta=eta,
                        draught=3.3,
                    )
                ]
            )
        )
        vessel = store.vessel(366000001)
    assert vessel == Vessel(
        mmsi=366000001,
        at=None,
        lat=None,
        lon=None,
        speed=None,
        course=None,
        heading=None,
        status=None,
        shipname="EAGLE",
        callsign="WTD4583",
        imo=8207721,
        ship_type=31,
        to_bow=20,
        to_stern=8,
        to_port=5,
        to_starboard=6,
        destination="MOBILE",
        eta=eta,
        draught=3.3,
    )
    assert vessel.eta is not None and vessel.eta.tzinfo is UTC


def test_static_fields_overwrite_one_by_one(store_url: str) -> None:
    with Store.open(store_url) as store:
        store.write(update(statics=[static(shipname="OLD NAME", callsign="AB12")]))
        # A later message carrying only some fields leaves the others as they were; within
        # one batch, the last message wins.
        store.write(
            update(
                statics=[
                    static(seconds=1, shipname="NEW NAME", ship_type=70),
                    static(seconds=2, shipname="NEWEST NAME", destination="ADEN"),
                ]
            )
        )
        vessel = store.vessel(366000001)
    assert vessel is not None
    assert (vessel.shipname, vessel.callsign, vessel.ship_type, vessel.destination) == (
        "NEWEST NAME",
        "AB12",
        70,
        "ADEN",
    )


def test_the_latest_point_by_time_wins_whatever_the_order_of_writes(store_url: str) -> None:
    with Store.open(store_url) as store:
        store.write(update([point(seconds=10, lat=10.0), point(seconds=30, lat=30.0)]))
        store.write(update([point(seconds=20, lat=20.0)]))  # older than what is held
        assert store.vessel(366000001).lat == 30.0  # type: ignore[union-attr]
        store.write(update([point(seconds=30, lat=31.0)]))  # same time: the later write
        assert store.vessel(366000001).lat == 31.0  # type: ignore[union-attr]
        store.write(update([point(seconds=40, lat=40.0), point(seconds=35, lat=35.0)]))
        vessel = store.vessel(366000001)
        track = store.track(366000001)
    assert vessel is not None and (vessel.at, vessel.lat) == (at(40), 40.0)
    assert [p.lat for p in track] == [10.0, 20.0, 30.0, 31.0, 35.0, 40.0]
    # And the picture agrees with the vessels table, ties included.
    with Store.open(store_url) as store:
        assert [v.lat for v in store.vessels_at(at(30))] == [31.0]


def test_statics_before_and_after_positions_make_one_vessel(store_url: str) -> None:
    with Store.open(store_url) as store:
        store.write(update(statics=[static(shipname="FIRST")]))
        store.write(update([point(seconds=5)]))
        store.write(update(statics=[static(seconds=6, callsign="CALL")]))
        vessel = store.vessel(366000001)
        counts = store.counts()
    assert vessel is not None
    assert (vessel.at, vessel.lat, vessel.shipname, vessel.callsign) == (
        at(5),
        12.5,
        "FIRST",
        "CALL",
    )
    assert counts["vessels"] == 1


def test_a_naive_time_is_taken_as_utc(store_url: str) -> None:
    naive = T0.replace(tzinfo=None)
    with Store.open(store_url) as store:
        store.write(update([point()._replace(at=naive)]))
        assert [p.at for p in store.track(366000001)] == [T0]


def test_an_empty_update_writes_nothing(store_url: str) -> None:
    with Store.open(store_url) as store:
        store.write(update())
        assert store.counts()["points"] == 0 and store.latest_time() is None


def test_a_failed_batch_leaves_nothing_behind(store_url: str) -> None:
    from shade.errors import ShadeError

    with Store.open(store_url) as store:
        bad = point(seconds=1)._replace(lat=None)  # aside.lat is NOT NULL: the batch fails
        try:
            store.write(
                update([point(seconds=0)], [(bad, AsideReason.INLAND)], [static(shipname="X")])
            )
        except ShadeError as exc:
            assert "\n" not in exc.message and "cannot be written" in exc.message
        else:
            raise AssertionError("a point without a latitude was written")
        assert store.counts() == {**store.counts(), "points": 0, "vessels": 0}


def test_a_source_named_by_a_failed_batch_is_named_again_after_it(store_url: str) -> None:
    """The store remembers source ids; those of a batch rolled back are not remembered (an
    id given then may be given to another name next)."""
    from shade.errors import ShadeError

    with Store.open(store_url) as store:
        bad = point(seconds=9)._replace(lat=None)  # aside.lat is NOT NULL: the batch fails
        try:
            store.write(update([point(seconds=0, source="alpha")], [(bad, AsideReason.INLAND)]))
        except ShadeError:
            pass
        else:
            raise AssertionError("a point without a latitude was kept aside")
        store.write(update([point(seconds=1, source="beta")]))
        store.write(update([point(seconds=2, source="alpha")]))
    with Store.open(store_url) as fresh:
        assert [p.source for p in fresh.track(366000001)] == ["beta", "alpha"]
