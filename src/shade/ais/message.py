"""What every decoded AIS message record offers, whatever its type.

The record classes themselves, one per layout, are generated into ``records`` from the
layout table: named tuples, cheap to make in bulk and immutable. Every record has
``msg_type``, ``repeat`` and ``mmsi``; the other fields are None when the message was cut
short before them or when they carry the "not available" value.
"""

from __future__ import annotations

from typing import Protocol

from shade.ais.kinds import Value


class AISMessage(Protocol):
    """A decoded AIS message: a record of typed fields (see docs/ais-messages.md)."""

    @property
    def msg_type(self) -> int: ...

    @property
    def repeat(self) -> int: ...

    @property
    def mmsi(self) -> int: ...

    def as_dict(self) -> dict[str, Value]:
        """The fields by name, in payload order: the same keys as pyais's ``asdict()``."""
        ...
