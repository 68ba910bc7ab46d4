"""AIS: NMEA 0183 framing, payload decoding and encoding. Pure: no I/O.

    from shade.ais import Decoder
    for decoded in Decoder().decode(lines):      # lines: bytes, line endings optional
        decoded.message.mmsi, decoded.message.as_dict(), decoded.received_at

Modules: ``nmea`` frames sentences, ``payload`` decodes payloads into the records of
``records`` (generated from ``layouts`` by ``codegen``), ``decoder`` runs a stream with
multipart reassembly and counts, ``rejects`` names every reason a sentence is refused.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shade.ais.decoder import Decoded, Decoder, DecodeStats
    from shade.ais.message import AISMessage
    from shade.ais.payload import decode_payload
    from shade.ais.rejects import Reject

__all__ = ["AISMessage", "DecodeStats", "Decoded", "Decoder", "Reject", "decode_payload"]
_HOMES = {
    "AISMessage": "message",
    "DecodeStats": "decoder",
    "Decoded": "decoder",
    "Decoder": "decoder",
    "Reject": "rejects",
    "decode_payload": "payload",
}


def __getattr__(name: str) -> Any:
    # Imported on first use, so that ``python -m shade.ais.codegen`` runs even while the
    # generated records module is missing or stale.
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"shade.ais.{_HOMES[name]}"), name)
