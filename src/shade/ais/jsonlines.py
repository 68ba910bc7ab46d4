"""The JSON Lines form of decoded messages, as ``shade decode --json`` writes it.

One object per message (serialised with orjson, several times faster than the standard
library's json): pyais's field names and values (binary data as base64, as pyais's
own JSON encoder writes it), then ``received_at`` (UTC, ISO 8601, or null) and ``source``
(the receiving station, or null). Scripts rely on it: keep it stable.
"""

from __future__ import annotations

from base64 import b64encode
from datetime import datetime

import orjson

from shade.ais.decoder import Decoded


def _default(value: object) -> str:
    if isinstance(value, bytes):
        return b64encode(value).decode("ascii")
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


class JsonLines:
    """Turns decoded messages into lines of JSON; remembers the last timestamp it formatted."""

    def __init__(self) -> None:
        self._when: datetime | None = None
        self._iso: str | None = None

    def line(self, decoded: Decoded) -> bytes:
        """One JSON object, without a line ending."""
        record = decoded.message.as_dict()
        when = decoded.received_at
        if when is not self._when:
            # Messages of one capture share timestamps: format each one once.
            self._when = when
            self._iso = None if when is None else when.isoformat().replace("+00:00", "Z")
        record["received_at"] = self._iso
        record["source"] = decoded.source
        return orjson.dumps(record, default=_default)
