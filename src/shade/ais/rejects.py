"""Why a line or sentence did not become a message: one stable code per reason.

The codes are part of the interface: ``shade decode --stats`` prints them and scripts read them.
"""

from __future__ import annotations

from enum import StrEnum


class Reject(StrEnum):
    BAD_CHECKSUM = "bad_checksum"  # the sentence's checksum does not match its text
    NO_CHECKSUM = "no_checksum"  # a sentence cut short before its checksum
    BAD_TAG_BLOCK = "bad_tag_block"  # an NMEA 4 tag block cut short, or with a corrupt time
    MALFORMED = "malformed"  # an AIS sentence without its fields, or with fields out of range
    BAD_FRAGMENT = "bad_fragment"  # fragment count or number out of range (1-9)
    BAD_FILL = "bad_fill"  # fill bits out of range (0-5)
    BAD_PAYLOAD = "bad_payload"  # a payload character outside the 6-bit armour
    EMPTY_PAYLOAD = "empty_payload"  # a sentence with no payload at all
    ORPHAN_FRAGMENT = "orphan_fragment"  # a later fragment whose first fragment was not seen
    INCOMPLETE_MESSAGE = "incomplete_message"  # fragments of a message that never completed
    TOO_SHORT = "too_short"  # fewer than the 38 bits of type, repeat and MMSI
    UNKNOWN_TYPE = "unknown_type"  # message type 0 or above 27
