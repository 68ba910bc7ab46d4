"""Standard phrases for encounter communications, in English and Chinese, with parameters.

In the spirit of the Code for Unplanned Encounters at Sea (CUES, 2014): short, fixed
sentences that say intentions, manoeuvres, requests to keep clear and confirmations, so
that two crews without a common language read the same thing. A message built from a
phrase is stored once (the phrase id and its parameters) and shown in both languages;
free text may stand beside it.

Parameters are typed, checked and written the same way in both languages:

    course      whole degrees true, 0-359, written 045
    speed       knots, 0-60, one decimal
    distance    nautical miles, 0-100, one decimal
    cpa         nautical miles, 0-100, two decimals
    minutes     0-1440, one decimal
    position    {"lat": -90..90, "lon": -180..180}, written 12°30.0′N 045°10.0′E
    time        UTC ISO 8601, written 2026-01-15 06:30Z
    side        "port" or "starboard" (左 / 右)
    activity    one of ACTIVITIES, in each language
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from shade.errors import InputError


class PhraseError(InputError):
    """An unknown phrase, or parameters it cannot take."""


ACTIVITIES: Final = {
    "flight_operations": ("flight operations", "飞行作业"),
    "replenishment": ("replenishment at sea", "海上补给"),
    "gunnery": ("a gunnery exercise", "射击训练"),
    "towing": ("towing", "拖带作业"),
    "boarding": ("a boarding operation", "登临检查行动"),
    "search_and_rescue": ("search and rescue", "搜救行动"),
}
SIDES: Final = {"port": ("port", "左"), "starboard": ("starboard", "右")}


@dataclass(frozen=True, slots=True)
class Phrase:
    id: str
    english: str  # with {name} where a parameter goes
    chinese: str
    group: str  # intention, manoeuvre, request, confirmation, warning

    @property
    def parameters(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.english)


PHRASES: Final = {
    p.id: p
    for p in (
        Phrase(
            "maintain_course_speed",
            "I am maintaining course {course} and speed {speed} knots.",
            "我船保持航向{course}，航速{speed}节。",
            "intention",
        ),
        Phrase(
            "alter_course",
            "I am altering my course to {side}; my new course is {course}.",
            "我船正在向{side}转向，新航向{course}。",
            "manoeuvre",
        ),
        Phrase(
            "reduce_speed",
            "I am reducing my speed to {speed} knots.",
            "我船正在减速至{speed}节。",
            "manoeuvre",
        ),
        Phrase("stop_engines", "I am stopping my engines.", "我船正在停车。", "manoeuvre"),
        Phrase(
            "pass_port_to_port",
            "I intend to pass you port to port.",
            "我船拟与你船左舷对左舷通过。",
            "intention",
        ),
        Phrase(
            "pass_starboard_to_starboard",
            "I intend to pass you starboard to starboard.",
            "我船拟与你船右舷对右舷通过。",
            "intention",
        ),
        Phrase(
            "conducting_activity",
            "I am conducting {activity} near {position} until {time}. Request you keep clear.",
            "我船正在{position}附近进行{activity}，至{time}。请你船避让。",
            "intention",
        ),
        Phrase(
            "restricted_manoeuvrability",
            "I am restricted in my ability to manoeuvre.",
            "我船操纵能力受限。",
            "intention",
        ),
        Phrase("request_intentions", "Request your intentions.", "请告知你船意图。", "request"),
        Phrase(
            "request_keep_clear",
            "Request you keep clear of me by at least {distance} nautical miles.",
            "请你船与我船保持至少{distance}海里的距离。",
            "request",
        ),
        Phrase(
            "request_alter_course",
            "Request you alter your course to {side}.",
            "请你船向{side}转向。",
            "request",
        ),
        Phrase(
            "cpa_warning",
            "On present courses we will pass within {cpa} nautical miles of each other "
            "in {minutes} minutes.",
            "按目前航向，两船将在{minutes}分钟内接近至{cpa}海里以内。",
            "warning",
        ),
        Phrase(
            "unsafe_manoeuvre",
            "Your manoeuvre at {time} was unsafe: the closest approach was {cpa} nautical miles.",
            "你船于{time}的机动不安全：最近会遇距离为{cpa}海里。",
            "warning",
        ),
        Phrase(
            "understood",
            "Your message is understood.",
            "你船的信息已收悉。",
            "confirmation",
        ),
        Phrase(
            "will_comply",
            "I will comply with your request.",
            "我船将按你船的要求行动。",
            "confirmation",
        ),
    )
}


def _number(name: str, low: float, high: float) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise PhraseError(f"{name} is a number")
        try:
            number = float(value)
        except ValueError:
            raise PhraseError(f"{name} {value!r} is not a number") from None
        if not math.isfinite(number) or not low <= number <= high:
            raise PhraseError(f"{name} must be within {low:g}..{high:g}, not {value!r}")
        return number

    return check


def _course(value: Any) -> int:
    number = _number("course", 0, 360)(value)
    if number >= 360:
        raise PhraseError(f"course is in degrees from 0 to 359, not {value!r}")
    return int(number)


def _dm(value: float, width: int, hemispheres: str) -> str:
    hemisphere = hemispheres[0] if value >= 0 else hemispheres[1]
    tenths = round(abs(value) * 600)
    degrees, tenths = divmod(tenths, 600)
    return f"{degrees:0{width}d}°{tenths / 10:04.1f}′{hemisphere}"


def _position(value: Any) -> tuple[Any, str]:
    if not isinstance(value, Mapping) or set(value) != {"lat", "lon"}:
        raise PhraseError('position is {"lat": ..., "lon": ...}')
    lat = _number("position lat", -90, 90)(value["lat"])
    lon = _number("position lon", -180, 180)(value["lon"])
    text = f"{_dm(lat, 2, 'NS')} {_dm(lon, 3, 'EW')}"
    return {"lat": round(lat, 5), "lon": round(lon, 5)}, text


def _time(value: Any) -> tuple[Any, str]:
    try:
        at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise PhraseError(f"time {value!r} is not an ISO 8601 time") from None
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ"), at.strftime("%Y-%m-%d %H:%MZ")


def _choice(name: str, table: Mapping[str, tuple[str, str]]) -> Callable[[Any], Any]:
    def check(value: Any) -> str:
        if value not in table:
            raise PhraseError(f"{name} is one of {', '.join(table)}, not {value!r}")
        return str(value)

    return check


# Per parameter: (normalise, text in English, text in Chinese).
_KINDS: Final[
    dict[str, tuple[Callable[[Any], Any], Callable[[Any], str], Callable[[Any], str]]]
] = {
    "course": (
        lambda v: _course(v),
        lambda v: f"{v:03d}°",
        lambda v: f"{v:03d}度",
    ),
    "speed": (
        lambda v: round(_number("speed", 0, 60)(v), 1),
        lambda v: f"{v:.1f}",
        lambda v: f"{v:.1f}",
    ),
    "distance": (
        lambda v: round(_number("distance", 0, 100)(v), 1),
        lambda v: f"{v:.1f}",
        lambda v: f"{v:.1f}",
    ),
    "cpa": (
        lambda v: round(_number("cpa", 0, 100)(v), 2),
        lambda v: f"{v:.2f}",
        lambda v: f"{v:.2f}",
    ),
    "minutes": (
        lambda v: round(_number("minutes", 0, 1440)(v), 1),
        lambda v: f"{v:.1f}",
        lambda v: f"{v:.1f}",
    ),
    "side": (_choice("side", SIDES), lambda v: SIDES[v][0], lambda v: SIDES[v][1]),
    "activity": (
        _choice("activity", ACTIVITIES),
        lambda v: ACTIVITIES[v][0],
        lambda v: ACTIVITIES[v][1],
    ),
}


@dataclass(frozen=True, slots=True)
class Rendered:
    phrase: str
    params: dict[str, Any]  # as checked and normalised: what is stored
    english: str
    chinese: str


def render(phrase_id: str, params: Mapping[str, Any] | None) -> Rendered:
    """The phrase with its parameters checked, in both languages; PhraseError otherwise."""
    phrase = PHRASES.get(phrase_id)
    if phrase is None:
        raise PhraseError(f"no standard phrase {phrase_id!r}")
    given = dict(params or {})
    wanted = phrase.parameters
    missing = [name for name in wanted if name not in given]
    extra = [name for name in given if name not in wanted]
    if missing or extra:
        parts = [f"needs {', '.join(missing)}"] if missing else []
        parts += [f"takes no {', '.join(extra)}"] if extra else []
        raise PhraseError(f"phrase {phrase_id!r} {' and '.join(parts)}")
    normal: dict[str, Any] = {}
    english: dict[str, str] = {}
    chinese: dict[str, str] = {}
    for name in wanted:
        if name == "position":
            normal[name], english[name] = _position(given[name])
            chinese[name] = english[name]
        elif name == "time":
            normal[name], english[name] = _time(given[name])
            chinese[name] = english[name]
        else:
            check, en, zh = _KINDS[name]
            normal[name] = check(given[name])
            english[name], chinese[name] = en(normal[name]), zh(normal[name])
    return Rendered(
        phrase_id,
        normal,
        phrase.english.format(**english),
        phrase.chinese.format(**chinese),
    )


def catalogue() -> list[dict[str, Any]]:
    """Every phrase with its parameters and both languages' text, for clients."""
    return [
        {
            "id": p.id,
            "group": p.group,
            "english": p.english,
            "chinese": p.chinese,
            "parameters": p.parameters,
        }
        for p in PHRASES.values()
    ]
