"""NMEA 0183 / IEC 61162-1 framing of AIS sentences: one line in, one sentence (or why not) out.

Accepted around the sentence itself (``!ccVDM,count,number,seq,channel,payload,fill*hh``):
an NMEA 4.10 tag block before it (``\\s:source,c:unix time,g:n-total-id*hh\\``, its checksum
not enforced, see ``parse_tag_block``), receiver
fields after the checksum (USCG style ``,r<station>,<unix time>``), any two-character talker
(AI, AB, BS, ... and receivers' quirks such as ``=I``), VDM and VDO, and the GoFree layout
with an extra field before the checksum (``!AIVDM,1,1,1,,<payload>,0,0*hh``).

Lines that are not AIS sentences (``$GPRMC``, ``$PSHI``, ``!AIALR`` ...) give None: the caller
skips and counts them. Everything else gives a ``Sentence`` or a ``Reject`` code; nothing raises.
"""

from __future__ import annotations

from dataclasses import dataclass

from shade.ais.rejects import Reject

# Masks of 8, 16, 32, 64, 128 and 256 bits for the checksum fold below.
_M1, _M2, _M4, _M8, _M16, _M32 = ((1 << (8 * n)) - 1 for n in (1, 2, 4, 8, 16, 32))
_HEX = {f"{i:02X}".encode(): i for i in range(256)} | {f"{i:02x}".encode(): i for i in range(256)}
_DIGITS = {str(i).encode(): i for i in range(10)}
_FORMATTERS = {b"VDM": False, b"VDO": True}
# A tag block's time is UNIX seconds; some providers send milliseconds.
MILLISECONDS_FROM = 10**11
# Times outside 1970 to 2242 are corrupt, and some would not even make a datetime.
_LATEST = 2.0**33


def checksum(text: bytes) -> int:
    """The NMEA checksum: XOR of all bytes of ``text``."""
    if len(text) > 96:
        result = 0
        for byte in text:
            result ^= byte
        return result
    # XOR-folding the bytes as one integer is several times faster than a loop over them.
    x = int.from_bytes(text, "big")
    x = ((x & _M32) ^ (x >> 256) ^ (x >> 512)) & _M32
    x = (x & _M16) ^ (x >> 128)
    x = (x & _M8) ^ (x >> 64)
    x = (x & _M4) ^ (x >> 32)
    x = (x & _M2) ^ (x >> 16)
    return (x & _M1) ^ (x >> 8)


@dataclass(slots=True)
class TagBlock:
    source: str | None = None  # s: the receiving station
    time: float | None = None  # c: UNIX time in seconds
    group: tuple[int, int, str] | None = None  # g: sentence number, total, group id


@dataclass(slots=True)
class Sentence:
    """One AIS sentence (one fragment of a message)."""

    talker: str
    own: bool  # VDO: the receiver's own ship
    total: int  # fragments in the message
    number: int  # this fragment's number, from 1
    seq_id: bytes  # sequential message id tying fragments together ('' for single sentences)
    channel: str
    payload: bytes
    fill: int
    received_at: float | None  # UNIX seconds, from the tag block or a trailing field
    source: str | None
    group: str | None  # the tag block's group id, if any


def parse_tag_block(block: bytes) -> TagBlock | None:
    """Parse the text between the backslashes; None if its form or its time is broken.

    The tag block's own checksum is not enforced: feeds in the wild write ``*00`` there
    (the AMSA capture does on every line), and the sentence's checksum still guards the
    AIS data itself.
    """
    star = block.rfind(b"*")
    if star < 0:
        return None
    body = block[:star]
    tag = TagBlock()
    for item in body.split(b","):
        key, _, value = item.partition(b":")
        if key == b"c":
            try:
                stamp = float(value)
            except ValueError:
                return None
            stamp = stamp / 1000 if stamp >= MILLISECONDS_FROM else stamp
            if not 0 <= stamp < _LATEST:  # also false for NaN
                return None
            tag.time = stamp
        elif key == b"s":
            tag.source = value.decode("ascii", "replace")
        elif key == b"g":
            parts = value.split(b"-")
            if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
                return None
            tag.group = (int(parts[0]), int(parts[1]), parts[2].decode("ascii", "replace"))
    return tag


def trailing_fields(fields: bytes) -> tuple[float | None, str | None]:
    """Receiver fields after the checksum: a UNIX time last, a station as ``r<name>``."""
    time = None
    source = None
    parts = fields.split(b",")
    last = parts[-1].strip()
    if 9 <= len(last) <= 13 and last.isdigit():
        stamp = int(last)
        time = stamp / 1000 if stamp >= MILLISECONDS_FROM else float(stamp)
    for part in parts:
        if part[:1] == b"r" and len(part) > 1:
            source = part[1:].decode("ascii", "replace")
    return time, source


def parse_sentence(line: bytes) -> Sentence | Reject | None:
    """Frame one line (without its line ending). None: not an AIS sentence."""
    tag: TagBlock | None = None
    if line[:1] == b"\\":
        end = line.find(b"\\", 1)
        if end < 0:
            return Reject.BAD_TAG_BLOCK if b"VD" in line else None
        tag = parse_tag_block(line[1:end])
        line = line[end + 1 :]
        if tag is None:
            return Reject.BAD_TAG_BLOCK if line[3:6] in _FORMATTERS else None
    if line[:1] != b"!" or line[3:6] not in _FORMATTERS:
        return None
    star = line.find(b"*", 6)
    if star < 0:
        return Reject.NO_CHECKSUM
    body = line[1:star]
    expected = _HEX.get(line[star + 1 : star + 3])
    if expected is None:
        return Reject.MALFORMED
    if checksum(body) != expected:
        return Reject.BAD_CHECKSUM
    fields = body.split(b",")
    count = len(fields)
    if count == 7:
        _, total_text, number_text, seq_id, channel, payload, fill_text = fields
    elif count == 8:
        # GoFree layout: one extra field between the fill bits and the checksum.
        _, total_text, number_text, seq_id, channel, payload, fill_text, _ = fields
    else:
        return Reject.MALFORMED
    total = _DIGITS.get(total_text)
    number = _DIGITS.get(number_text)
    if total is None or number is None or not 1 <= number <= total:
        return Reject.BAD_FRAGMENT
    fill = _DIGITS.get(fill_text)
    if fill is None or fill > 5:
        return Reject.BAD_FILL
    received_at = source = group = None
    if tag is not None:
        received_at, source = tag.time, tag.source
        if tag.group is not None:
            group = tag.group[2]
    rest = line[star + 3 :]
    if rest:
        trailing_time, trailing_source = trailing_fields(rest)
        received_at = received_at if received_at is not None else trailing_time
        source = source if source is not None else trailing_source
    return Sentence(
        line[1:3].decode("ascii", "replace"),
        _FORMATTERS[line[3:6]],
        total,
        number,
        seq_id,
        channel.decode("ascii", "replace"),
        payload,
        fill,
        received_at,
        source,
        group,
    )
