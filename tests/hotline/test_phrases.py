"""Standard phrases: every one renders in English and Chinese, parameters are checked and
written alike in both languages, and nothing else is accepted."""

from __future__ import annotations

import re

import pytest

from shade.hotline.phrases import ACTIVITIES, PHRASES, SIDES, PhraseError, catalogue, render

SAMPLES = {
    "course": 95,
    "speed": 12.25,
    "distance": 2,
    "cpa": 0.341,
    "minutes": 14.46,
    "side": "starboard",
    "activity": "flight_operations",
    "position": {"lat": 12.5, "lon": 45.1666667},
    "time": "2026-01-15T06:30:00Z",
}


@pytest.mark.parametrize("phrase_id", sorted(PHRASES))
def test_every_phrase_renders_in_both_languages_with_every_parameter(phrase_id: str) -> None:
    phrase = PHRASES[phrase_id]
    params = {name: SAMPLES[name] for name in phrase.parameters}
    rendered = render(phrase_id, params)
    assert "{" not in rendered.english and "{" not in rendered.chinese
    assert re.search(r"[\u4e00-\u9fff]", rendered.chinese), "the Chinese text is Chinese"
    assert rendered.english.endswith(".") and rendered.chinese.endswith("。")
    # The numbers are the same in both languages (the order of words may differ).
    assert sorted(re.findall(r"\d+(?:\.\d+)?", rendered.english)) == sorted(
        re.findall(r"\d+(?:\.\d+)?", rendered.chinese)
    )
    assert set(rendered.params) == set(phrase.parameters)


def test_parameters_are_normalised_and_written_alike() -> None:
    rendered = render("alter_course", {"side": "port", "course": 5.9})
    assert rendered.params == {"side": "port", "course": 5}
    assert rendered.english == "I am altering my course to port; my new course is 005°."
    assert rendered.chinese == "我船正在向左转向，新航向005度。"
    warning = render("cpa_warning", {"cpa": "0.3449", "minutes": 18.33})
    assert warning.params == {"cpa": 0.34, "minutes": 18.3}
    assert "0.34 nautical miles" in warning.english and "18.3 minutes" in warning.english


def test_positions_are_degrees_and_minutes_on_both_sides_of_the_equator() -> None:
    north_east = render(
        "conducting_activity",
        {
            "activity": "towing",
            "position": {"lat": 12.5, "lon": 45.25},
            "time": "2026-01-15T06:30Z",
        },
    )
    assert "12°30.0′N 045°15.0′E" in north_east.english
    assert "12°30.0′N 045°15.0′E" in north_east.chinese
    assert "2026-01-15 06:30Z" in north_east.english
    south_west = render(
        "conducting_activity",
        {"activity": "towing", "position": {"lat": -0.01, "lon": -179.999}, "time": "2026-01-15"},
    )
    assert "00°00.6′S 179°59.9′W" in south_west.english


@pytest.mark.parametrize(
    ("phrase", "params", "says"),
    [
        ("no_such_phrase", {}, "no standard phrase"),
        ("alter_course", {"side": "port"}, "needs course"),
        ("request_intentions", {"course": 10}, "takes no course"),
        ("alter_course", {"side": "left", "course": 10}, "side is one of"),
        ("alter_course", {"side": "port", "course": 360}, "from 0 to 359"),
        ("alter_course", {"side": "port", "course": -1}, "within 0..360"),
        ("reduce_speed", {"speed": -1}, "within 0..60"),
        ("reduce_speed", {"speed": "fast"}, "not a number"),
        ("reduce_speed", {"speed": True}, "is a number"),
        ("reduce_speed", {"speed": float("nan")}, "within"),
        (
            "conducting_activity",
            {"activity": "towing", "position": [1, 2], "time": "x"},
            "position",
        ),
        (
            "conducting_activity",
            {"activity": "towing", "position": {"lat": 1, "lon": 2}, "time": "noon"},
            "ISO 8601",
        ),
        (
            "conducting_activity",
            {"activity": "fishing", "position": {"lat": 1, "lon": 2}, "time": "2026-01-15"},
            "activity is one of",
        ),
    ],
)
def test_what_a_phrase_cannot_take_is_refused_saying_why(
    phrase: str, params: dict[str, object], says: str
) -> None:
    with pytest.raises(PhraseError, match=says):
        render(phrase, params)


def test_the_catalogue_lists_every_phrase_with_its_parameters() -> None:
    listed = {item["id"]: item for item in catalogue()}
    assert set(listed) == set(PHRASES)
    assert listed["alter_course"]["parameters"] == ["side", "course"]
    assert {item["group"] for item in listed.values()} == {
        "intention",
        "manoeuvre",
        "request",
        "confirmation",
        "warning",
    }
    assert all(len(pair) == 2 for pair in (*ACTIVITIES.values(), *SIDES.values()))


def test_docs_list_every_phrase_as_the_code_has_it() -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "hotline.md").read_text()
    for phrase in PHRASES.values():
        row = f"| `{phrase.id}` | {phrase.english} | {phrase.chinese} |"
        assert row in page, f"docs/hotline.md: no row, or a stale one, for {phrase.id}"
