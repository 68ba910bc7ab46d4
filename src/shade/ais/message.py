"""The base of every decoded AIS message record.

The record classes themselves, one per layout, are generated into ``records`` from the
layout table. Every record has ``msg_type``, ``repeat`` and ``mmsi``; the other fields are
None when the message was cut short before them or when they carry the "not available" value.
"""

from __future__ import annotations

from typing import ClassVar

from shade.ais.kinds import Value


class AISMessage:
    """A decoded AIS message: a plain record of typed fields (see docs/ais-messages.md)."""

    __slots__ = ()
    FIELDS: ClassVar[tuple[str, ...]] = ()

    msg_type: int
    repeat: int
    mmsi: int

    def as_dict(self) -> dict[str, Value]:
        """The fields by name, in payload order: the same keys as pyais's ``asdict()``."""
        return {name: getattr(self, name) for name in self.FIELDS}
