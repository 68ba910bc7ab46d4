"""SHADE: Shared Awareness and De-confliction.

One package, one sub-package per capability: ``ais`` (NMEA 0183 AIS framing, decoding and
encoding) first; tracks, detection, hotline, ledger, notices, de-confliction and roadmap follow.
"""

__version__ = "0.1.0"
