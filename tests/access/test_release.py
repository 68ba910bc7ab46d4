"""Release rules: the four modes and their values, who sees what by default, plain forms."""

from __future__ import annotations

import math
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shade.access.release import (
    FULL,
    HIDDEN,
    MAX_MINUTES,
    MAX_NM,
    MIN_NM,
    Mode,
    Release,
    ReleaseRules,
)
from shade.errors import InputError
from shade.parties import NEUTRAL, Parties, Party

releases = st.one_of(
    st.builds(Release, st.just(Mode.FULL), events=st.booleans()),
    st.builds(Release, st.just(Mode.HIDDEN), events=st.booleans()),
    st.builds(
        Release,
        st.just(Mode.DELAYED),
        minutes=st.integers(1, MAX_MINUTES),
        events=st.booleans(),
    ),
    st.builds(
        Release,
        st.just(Mode.COARSENED),
        nm=st.floats(MIN_NM, MAX_NM),
        events=st.booleans(),
    ),
)


def test_the_four_modes() -> None:
    assert [m.value for m in Mode] == ["full", "delayed", "coarsened", "hidden"]
    assert Release(Mode.DELAYED, minutes=30).minutes == 30
    coarse = Release(Mode.COARSENED, nm=5)
    assert coarse.nm == 5.0 and isinstance(coarse.nm, float)
    assert Release("hidden", events=True).mode is Mode.HIDDEN  # type: ignore[arg-type]
    assert Release(Mode.FULL) == FULL and Release(Mode.HIDDEN) == HIDDEN
    assert not FULL.events and not HIDDEN.events


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"mode": "secret"}, "release mode must be one of"),
        ({"mode": Mode.DELAYED}, "needs 'minutes'"),
        ({"mode": Mode.DELAYED, "minutes": 0}, "needs 'minutes'"),
        ({"mode": Mode.DELAYED, "minutes": -5}, "needs 'minutes'"),
        ({"mode": Mode.DELAYED, "minutes": MAX_MINUTES + 1}, "needs 'minutes'"),
        ({"mode": Mode.DELAYED, "minutes": 1.5}, "needs 'minutes'"),
        ({"mode": Mode.DELAYED, "minutes": True}, "needs 'minutes'"),
        ({"mode": Mode.DELAYED, "minutes": "30"}, "needs 'minutes'"),
        ({"mode": Mode.DELAYED, "minutes": 30, "nm": 5.0}, "'nm' is for a coarsened"),
        ({"mode": Mode.FULL, "minutes": 30}, "'minutes' is for a delayed"),
        ({"mode": Mode.HIDDEN, "nm": 1.0}, "'nm' is for a coarsened"),
        ({"mode": Mode.COARSENED}, "needs 'nm'"),
        ({"mode": Mode.COARSENED, "nm": 0.0}, "needs 'nm'"),
        ({"mode": Mode.COARSENED, "nm": MIN_NM / 2}, "needs 'nm'"),
        ({"mode": Mode.COARSENED, "nm": MAX_NM * 2}, "needs 'nm'"),
        ({"mode": Mode.COARSENED, "nm": math.nan}, "needs 'nm'"),
        ({"mode": Mode.COARSENED, "nm": math.inf}, "needs 'nm'"),
        ({"mode": Mode.COARSENED, "nm": True}, "needs 'nm'"),
        ({"mode": Mode.COARSENED, "nm": 5.0, "minutes": 10}, "'minutes' is for a delayed"),
        ({"mode": Mode.FULL, "events": "yes"}, "'events' must be true or false"),
        ({"mode": Mode.HIDDEN, "events": 1}, "'events' must be true or false"),
    ],
)
def test_bad_releases_are_refused(values: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        Release(**values)
    with pytest.raises(InputError, match=message):
        Release.from_dict({k: (v.value if isinstance(v, Mode) else v) for k, v in values.items()})


def test_plain_form() -> None:
    assert Release(Mode.DELAYED, minutes=15, events=True).to_dict() == {
        "mode": "delayed",
        "minutes": 15,
        "nm": None,
        "events": True,
    }
    assert Release.from_dict({"mode": "coarsened", "nm": 10}) == Release(Mode.COARSENED, nm=10.0)
    assert Release.from_dict({"mode": "full", "minutes": None, "nm": None}) == FULL
    with pytest.raises(InputError, match="unknown key 'delay'"):
        Release.from_dict({"mode": "delayed", "delay": 5})
    with pytest.raises(InputError, match="'mode' is required"):
        Release.from_dict({"minutes": 5})
    with pytest.raises(InputError, match="must be an object"):
        Release.from_dict(["full"])  # type: ignore[arg-type]


@given(releases)
def test_plain_form_round_trips_through_json(release: Release) -> None:
    assert Release.from_dict(orjson.loads(orjson.dumps(release.to_dict()))) == release


# Three parties; a sets rules for b and c, b for a, c sets none.
RULES = ReleaseRules(
    {
        ("a", "b"): Release(Mode.DELAYED, minutes=30),
        ("a", "c"): Release(Mode.COARSENED, nm=10.0, events=True),
        ("b", "a"): FULL,
    }
)


@pytest.mark.parametrize(
    ("owner", "viewer", "expected"),
    [
        # Neutral vessels: full to everyone, even a viewer with no party.
        (None, None, FULL),
        (None, "a", FULL),
        (None, "c", FULL),
        # Own units: full, whatever else is set.
        ("a", "a", FULL),
        ("c", "c", FULL),
        # Set rules.
        ("a", "b", Release(Mode.DELAYED, minutes=30)),
        ("a", "c", Release(Mode.COARSENED, nm=10.0, events=True)),
        ("b", "a", FULL),
        # Unset pairs: hidden (a rule is one way: b set nothing for c, c nothing at all).
        ("b", "c", HIDDEN),
        ("c", "a", HIDDEN),
        ("c", "b", HIDDEN),
        # A party unknown to the rules: hidden to others, its own units full to itself.
        ("x", "a", HIDDEN),
        ("a", "x", HIDDEN),
        ("x", "x", FULL),
        # No party: sees no party's units.
        ("a", None, HIDDEN),
        ("b", None, HIDDEN),
        ("c", None, HIDDEN),
    ],
)
def test_who_sees_what(owner: str | None, viewer: str | None, expected: Release) -> None:
    assert RULES.rule(owner, viewer) == expected


def test_nothing_is_shared_without_rules() -> None:
    rules = ReleaseRules()
    for owner in ("a", "b"):
        for viewer in ("a", "b", None):
            expected = FULL if owner == viewer else HIDDEN
            assert rules.rule(owner, viewer) == expected
        assert rules.rule(None, owner) == FULL


def test_rules_towards_a_viewer() -> None:
    assert RULES.towards("c") == {"a": Release(Mode.COARSENED, nm=10.0, events=True)}
    assert RULES.towards("b") == {"a": Release(Mode.DELAYED, minutes=30)}
    assert RULES.towards("a") == {"b": FULL}
    assert RULES.towards(None) == {}
    assert RULES.towards("x") == {}


@pytest.mark.parametrize(
    ("owner", "viewer", "message"),
    [
        ("a", "a", "sets no rule for itself"),
        (NEUTRAL, "a", "cannot be the owner"),
        ("a", NEUTRAL, "cannot be the viewer"),
        ("a", "", "must be a party id"),
        ("a b", "c", "must be a party id"),
        (None, "c", "must be a party id"),
        ("a", 7, "must be a party id"),
    ],
)
def test_bad_pairs_are_refused(owner: Any, viewer: Any, message: str) -> None:
    with pytest.raises(InputError, match=message):
        ReleaseRules({(owner, viewer): FULL})
    with pytest.raises(InputError, match=message):
        RULES.with_rule(owner, viewer, FULL)
    with pytest.raises(InputError, match=rf"release rule #1 .*{message}"):
        ReleaseRules.from_list([{"owner": owner, "viewer": viewer, "mode": "full"}])


def test_rules_must_be_releases_keyed_by_pairs() -> None:
    with pytest.raises(InputError, match="keyed by"):
        ReleaseRules({("a", "b", "c"): FULL})  # type: ignore[dict-item]
    with pytest.raises(InputError, match="not a Release"):
        ReleaseRules({("a", "b"): "full"})  # type: ignore[dict-item]


def test_with_rule_makes_new_rules() -> None:
    changed = RULES.with_rule("c", "a", Release(Mode.DELAYED, minutes=5))
    assert changed.rule("c", "a") == Release(Mode.DELAYED, minutes=5)
    assert changed.towards("a") == {"b": FULL, "c": Release(Mode.DELAYED, minutes=5)}
    assert RULES.rule("c", "a") == HIDDEN  # unchanged
    removed = changed.with_rule("b", "a", None)
    assert removed.rule("b", "a") == HIDDEN
    assert removed.towards("a") == {"c": Release(Mode.DELAYED, minutes=5)}
    assert removed.with_rule("b", "a", None) == removed  # removing an unset rule is fine


def test_list_form() -> None:
    records = RULES.to_list()
    plain = {"minutes": None, "nm": None, "events": False}
    assert records == [
        {"owner": "a", "viewer": "b", **plain, "mode": "delayed", "minutes": 30},
        {"owner": "a", "viewer": "c", **plain, "mode": "coarsened", "nm": 10.0, "events": True},
        {"owner": "b", "viewer": "a", **plain, "mode": "full"},
    ]
    assert ReleaseRules.from_list(orjson.loads(orjson.dumps(records))) == RULES
    # As the store's rows come: extra columns are not the rule's business.
    stored = [{**record, "updated_at": "2026-01-01", "updated_by": "user:x"} for record in records]
    assert ReleaseRules.from_list(stored) == RULES


def test_list_form_errors() -> None:
    with pytest.raises(InputError, match=r"release rule #2 \(a->b\): a second rule"):
        ReleaseRules.from_list(
            [
                {"owner": "a", "viewer": "b", "mode": "full"},
                {"owner": "a", "viewer": "b", "mode": "hidden"},
            ]
        )
    with pytest.raises(InputError, match=r"release rule #1 \(a->b\): .*needs 'minutes'"):
        ReleaseRules.from_list([{"owner": "a", "viewer": "b", "mode": "delayed"}])
    with pytest.raises(InputError, match="release rule #1: not an object"):
        ReleaseRules.from_list(["a->b"])  # type: ignore[list-item]
    parties = Parties((Party("a", "A", "#000000", frozenset({1})),))
    assert ReleaseRules.from_list([], parties) == ReleaseRules()
    with pytest.raises(InputError, match=r"release rule #1 \(a->b\): no party 'b'"):
        ReleaseRules.from_list([{"owner": "a", "viewer": "b", "mode": "full"}], parties)


@given(
    st.dictionaries(
        st.tuples(st.sampled_from("abcd"), st.sampled_from("abcd")).filter(lambda k: k[0] != k[1]),
        releases,
    ),
    st.sampled_from(["a", "b", "c", "d", None]),
    st.sampled_from(["a", "b", "c", "d", None]),
)
def test_rules_round_trip_and_answer_as_set(
    table: dict[tuple[str, str], Release], owner: str | None, viewer: str | None
) -> None:
    rules = ReleaseRules(table)
    assert ReleaseRules.from_list(orjson.loads(orjson.dumps(rules.to_list()))) == rules
    found = rules.rule(owner, viewer)
    if owner is None or owner == viewer:
        assert found == FULL
    elif viewer is None:
        assert found == HIDDEN
    else:
        assert found == table.get((owner, viewer), HIDDEN)
