"""The AIS encoder: message records back into armoured payloads and NMEA sentences.

The inverse of ``payload`` and ``nmea``, for simulated traffic and re-broadcast. It is generic
over the layout table (``layouts``), so every record class of ``records`` can be encoded:

    encode_payload(record)      -> (b"15M67FC000G?ufbE`FepT@3n00Sa", 0)
    encode(record, channel="B") -> [b"!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C"]
    message(msg_type=1, mmsi=..., lat=..., lon=...)   # the rest "not available", or 0

Values are written through each field kind's ``encode`` (scaled values are rounded onto the
field's grid); None becomes the field's "not available" raw value, or 0 where it has none.
Text is upper-cased and padded with '@'. A variable-length field at the end of a layout
(binary data, text) takes only the bits its value needs, and None leaves it out.

A record whose values lie on their fields' grids (any record the decoder made, any record
``message`` made from such values) reads back equal to itself and of the same class:
``encode_payload`` refuses a record the decoder would read with another layout (a part B of
type 24 with an auxiliary craft's MMSI, say). Every refusal is an ``InputError`` naming the
field. A record decoded from a message cut short comes back whole, the fields that were
missing sent as "not available" or 0.
"""

from __future__ import annotations

import itertools
import math
import string
from base64 import b64encode

from shade.ais.kinds import SIXBIT_CHARS
from shade.ais.layouts import BY_NAME, LAYOUTS, Field, Layout
from shade.ais.message import AISMessage
from shade.ais.nmea import checksum
from shade.ais.payload import layout_for
from shade.ais.records import DECODERS
from shade.errors import InputError

__all__ = ["encode", "encode_payload", "frame", "message"]

_SIXBIT = {char: code for code, char in enumerate(SIXBIT_CHARS)}
# Only ASCII letters are folded: str.upper() would turn 'ß' into 'SS' and pass it.
_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)
_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# Payload armour: 0-39 as '0'-'W', 40-63 as '`'-'w'. The base64 digits are 6-bit groups in
# the same order, so b64encode in C does the work and one translate gives the armour.
_ARMOUR = bytes(range(48, 88)) + bytes(range(96, 120))
_B64_TO_ARMOUR = bytes.maketrans(_B64_ALPHABET, _ARMOUR)
# IEC 61162-1 allows 1 to 9 sentences per message, and a one-digit sequential id.
_MAX_FRAGMENTS = 9
# Module-wide, like a transponder's counter: consecutive multipart messages of one process
# get different ids, whichever caller sends them, so a receiver does not mix their fragments.
_SEQ_IDS = itertools.cycle(range(10))


def encode_payload(message: AISMessage) -> tuple[bytes, int]:
    """The armoured payload of a record and its number of fill bits."""
    layout = BY_NAME.get(type(message).__name__)
    if layout is None:
        raise InputError(f"cannot encode {type(message).__name__}: not an AIS message record")
    value, nbits = _bits(layout, message)
    return _armour(value, nbits)


def encode(
    message: AISMessage,
    *,
    talker: str = "AI",
    channel: str = "A",
    own: bool = False,
    seq_id: int | None = None,
    max_payload: int = 60,
) -> list[bytes]:
    """The NMEA sentences (``!AIVDM``, or ``!AIVDO`` when ``own``) carrying a record.

    Sentences come without line endings. A payload longer than ``max_payload`` characters is
    split into fragments tied by ``seq_id`` (by default the next of a cycle 0-9).
    """
    payload, fill = encode_payload(message)
    return frame(
        payload,
        fill,
        talker=talker,
        channel=channel,
        own=own,
        seq_id=seq_id,
        max_payload=max_payload,
    )


def frame(
    payload: bytes,
    fill: int,
    *,
    talker: str = "AI",
    channel: str = "A",
    own: bool = False,
    seq_id: int | None = None,
    max_payload: int = 60,
) -> list[bytes]:
    """Wrap an armoured payload in NMEA sentences; see ``encode``.

    Fill bits go on the last fragment only, 0 on the others; a single sentence has an
    empty sequential id.
    """
    if len(talker) != 2 or not (talker.isascii() and talker.isalnum()):
        raise InputError(f"talker must be two letters or digits, not {talker!r}")
    if len(channel) > 1 or not (channel.isascii() and (channel.isalnum() or not channel)):
        raise InputError(f"channel must be one letter or digit (A, B, 1, 2) or empty: {channel!r}")
    if seq_id is not None and not 0 <= seq_id <= 9:
        raise InputError(f"seq_id must be 0 to 9, not {seq_id}")
    if max_payload < 1:
        raise InputError(f"max_payload must be at least 1 character, not {max_payload}")
    if not payload or payload.translate(None, _ARMOUR):
        raise InputError("payload must be non-empty 6-bit armoured text")
    if not 0 <= fill <= 5:
        raise InputError(f"fill bits must be 0 to 5, not {fill}")
    total = -(-len(payload) // max_payload)
    if total > _MAX_FRAGMENTS:
        raise InputError(
            f"payload of {len(payload)} characters needs {total} sentences of {max_payload}; "
            f"NMEA allows at most {_MAX_FRAGMENTS}"
        )
    if total == 1:
        seq = ""
    else:
        seq = str(next(_SEQ_IDS) if seq_id is None else seq_id)
    formatter = "VDO" if own else "VDM"
    sentences = []
    for number in range(1, total + 1):
        chunk = payload[(number - 1) * max_payload : number * max_payload]
        head = f"{talker}{formatter},{total},{number},{seq},{channel},".encode("ascii")
        body = head + chunk + b",%d" % (fill if number == total else 0)
        sentences.append(b"!%s*%02X" % (body, checksum(body)))
    return sentences


def message(msg_type: int, **fields: object) -> AISMessage:
    """A record of ``msg_type`` from field values.

    A field not given holds what the decoder will read back for it: None where the field has
    a "not available" value (or is a variable-length field, left out), else the value of raw
    0: 0, False, empty text, zero bytes (``repeat`` and ``mmsi`` 0, ``status`` 0 ...).

    The record class is the one the decoder would read the encoded message with: the part
    number, DAC and FID, addressed and structured flags, or MMSI pick it, as in ``payload``.
    Where several classes would do (type 6 with DAC 1, FID 16 and no destination fields),
    the first in the layout table is taken.
    """
    layouts = [layout for layout in LAYOUTS if msg_type in layout.types]
    if not layouts:
        raise InputError(f"unknown AIS message type {msg_type}")
    known = set().union(*({f.name for f in layout.values} for layout in layouts))
    unknown = sorted(set(fields) - known)
    if unknown:
        raise InputError(f"message type {msg_type} has no field {', '.join(unknown)}")
    first_error: InputError | None = None
    for layout in layouts:
        if not set(fields) <= {f.name for f in layout.values}:
            continue
        record = _record(layout, msg_type, fields)
        try:
            value, nbits = _bits(layout, record, check_layout=False)
        except InputError as error:
            first_error = first_error or error
            continue
        if layout_for(value, nbits) == layout.name:
            return record
    if first_error is not None:
        raise first_error
    raise InputError(
        f"no layout of message type {msg_type} takes {', '.join(sorted(fields))} as given"
    )


def _record(layout: Layout, msg_type: int, fields: dict[str, object]) -> AISMessage:
    cls = DECODERS[layout.name][0]
    values = [
        msg_type if f.name == "msg_type" else fields[f.name] if f.name in fields else _default(f)
        for f in layout.values
    ]
    return cls(*values)


def _default(field: Field) -> object:
    """What the decoder reads for a field sent as "not available", or as raw 0."""
    if field.na is not None or field.variable:
        return None
    if field.kind.name == "t":
        return ""
    if field.kind.name == "d":
        return bytes(math.ceil(field.width / 8))
    return field.kind.decode(0)


def _bits(layout: Layout, message: AISMessage, check_layout: bool = True) -> tuple[int, int]:
    """The payload as one integer and its number of bits."""
    if message.msg_type not in layout.types:
        types = ", ".join(str(t) for t in layout.types)
        raise InputError(f"{layout.name} is message type {types}, not {message.msg_type}")
    value = nbits = 0
    for field in layout.fields:
        if field.spare:
            raw, width = 0, field.width
        else:
            raw, width = _field_bits(layout, field, getattr(message, field.name))
        value = (value << width) | raw
        nbits += width
    if check_layout:
        read_as = layout_for(value, nbits)
        if read_as != layout.name:
            raise InputError(
                f"{layout.name} would be read back as {read_as}: check the fields that choose "
                "the layout (part number, DAC and FID, addressed flag, MMSI)"
            )
    return value, nbits


def _field_bits(layout: Layout, field: Field, value: object) -> tuple[int, int]:
    """The raw bits of one field and how many there are."""
    where = f"{layout.name}.{field.name}"
    kind = field.kind.name
    if value is None:
        if field.variable:
            return 0, 0
        return (0 if field.na is None else field.na) & ((1 << field.width) - 1), field.width
    if kind == "t":
        return _text_bits(where, field, value)
    if kind == "d":
        return _data_bits(where, field, value)
    return _number_bits(where, field, value), field.width


def _number_bits(where: str, field: Field, value: object) -> int:
    kind = field.kind
    if not isinstance(value, int | float):
        raise InputError(f"{where}: expected a number, got {value!r}")
    if kind.pytype == "int" and isinstance(value, float) and not value.is_integer():
        raise InputError(f"{where}: expected a whole number, got {value!r}")
    try:
        raw = kind.encode(value)
    except (ValueError, OverflowError):  # NaN and infinities
        raise InputError(f"{where}: {value!r} is not a usable number") from None
    width = field.width
    if kind.signed:
        low, high = -(1 << (width - 1)), (1 << (width - 1)) - 1
    else:
        low, high = 0, (1 << width) - 1
    if not low <= raw <= high:
        raise InputError(f"{where}: {value!r} is out of range ({_limits(field, low, high)})")
    return raw & ((1 << width) - 1)


def _limits(field: Field, low: int, high: int) -> str:
    """The range of a field, in its own units where they exist: they read better than raw."""
    first, last = field.kind.decode(low), field.kind.decode(high)
    numbers = isinstance(first, int | float) and isinstance(last, int | float)
    if numbers and field.kind.pytype != "bool":
        return f"{first!r} to {last!r}"
    return f"{low} to {high}"


def _text_bits(where: str, field: Field, value: object) -> tuple[int, int]:
    if not isinstance(value, str):
        raise InputError(f"{where}: expected text, got {value!r}")
    text = value.translate(_UPPER)
    nchars = field.width // 6
    if len(text) > nchars:
        raise InputError(f"{where}: {len(text)} characters, at most {nchars} fit: {value!r}")
    if text.endswith("@") and len(text) < nchars:
        # Decoders strip trailing '@' as padding, and then blanks: padding with blanks keeps
        # a text's own '@' (a name decoded as '@@@@' comes back as sent).
        text += " " * (1 if field.variable else nchars - len(text))
    raw = 0
    for char in text:
        code = _SIXBIT.get(char)
        if code is None:
            raise InputError(f"{where}: {char!r} is not in the AIS 6-bit character set")
        raw = (raw << 6) | code
    used = 6 * len(text)
    if field.variable:
        # Empty text is sent as one '@': it reads back as empty text, not as an absent field.
        return raw, used or 6
    # Padding with '@' (0) is a shift; a width that is no multiple of 6 ends in 0 bits too.
    return raw << (field.width - used), field.width


def _data_bits(where: str, field: Field, value: object) -> tuple[int, int]:
    if not isinstance(value, bytes | bytearray):
        raise InputError(f"{where}: expected bytes, got {value!r}")
    raw = int.from_bytes(value, "big")
    used = 8 * len(value)
    surplus = used - field.width
    if surplus > 0:
        # Decoded data are left-aligned in whole bytes: the last byte may carry up to 7
        # bits of padding past the field, which must be zero.
        if surplus >= 8 or raw & ((1 << surplus) - 1):
            nbytes = math.ceil(field.width / 8)
            raise InputError(
                f"{where}: {len(value)} bytes do not fit its {field.width} bits "
                f"(at most {nbytes} bytes, the bits past the field zero)"
            )
        raw >>= surplus
        used = field.width
    if field.variable:
        return raw, used
    return raw << (field.width - used), field.width


def _armour(value: int, nbits: int) -> tuple[bytes, int]:
    """Six-bit armour of ``nbits`` bits held by ``value``, and the fill bits it needed."""
    fill = -nbits % 6
    nchars = (nbits + fill) // 6
    # b64encode takes whole bytes: pad to a multiple of four characters, then cut back.
    pad = -nchars % 4
    packed = (value << (fill + 6 * pad)).to_bytes((nchars + pad) * 3 // 4, "big")
    return b64encode(packed)[:nchars].translate(_B64_TO_ARMOUR), fill
