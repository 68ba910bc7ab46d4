"""SOURCE strings: parsed in one place, opened into the sources that yield lines.

    SOURCE                     opens
    PATH, PATH.gz, -           ``FileSource``: a capture file (gzip told by content) or stdin
    tcp://HOST:PORT            ``TcpClientSource``: connects to a feed, reconnects on a drop
    tcp-listen://[HOST]:PORT   ``TcpListenSource``: accepts clients, each its own source id
    udp://[HOST]:PORT          ``UdpSource``: datagrams of one line or several

A listener without a HOST listens on every interface; PORT 0 picks a free port. Anything
else with ``://`` is refused with one line that says why (``InputError``). The sources
themselves live in ``tail`` (files) and ``sockets`` (network); ``lines`` has what they yield.
"""

from __future__ import annotations

from typing import Literal, NamedTuple
from urllib.parse import urlsplit

from shade.config import Settings
from shade.errors import InputError
from shade.ingest.lines import Chunk, Clock, Line, Source, utc_now
from shade.ingest.sockets import TcpClientSource, TcpListenSource, UdpSource
from shade.ingest.tail import FileSource

__all__ = [
    "Chunk",
    "FileSource",
    "Line",
    "Source",
    "SourceSpec",
    "TcpClientSource",
    "TcpListenSource",
    "UdpSource",
    "open_source",
    "parse_source",
]

Kind = Literal["file", "tcp", "tcp-listen", "udp"]
_NETWORK: tuple[Kind, ...] = ("tcp", "tcp-listen", "udp")
FORMS = "a path, tcp://HOST:PORT, tcp-listen://[HOST]:PORT or udp://[HOST]:PORT"


class SourceSpec(NamedTuple):
    kind: Kind
    path: str = ""  # file: the path, or "-" for stdin
    host: str = ""  # network: "" for every interface (listeners only)
    port: int = 0


def parse_source(text: str) -> SourceSpec:
    """What a SOURCE string names; ``InputError`` with one line for anything unusable."""
    if not text:
        raise InputError(f"an empty SOURCE; expected {FORMS}")
    if "://" not in text:
        return SourceSpec("file", path=text)
    scheme = text.split("://", 1)[0]
    kind = next((k for k in _NETWORK if k == scheme.lower()), None)
    if kind is None:
        raise InputError(f"{text}: unknown kind of source {scheme + '://'!r}; expected {FORMS}")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise InputError(f"{text}: the port must be a number from 0 to 65535") from None
    if parts.path or parts.query or parts.fragment or "@" in parts.netloc:
        raise InputError(f"{text}: unexpected text; expected {kind}://HOST:PORT")
    if port is None:
        raise InputError(f"{text}: no port; expected {kind}://HOST:PORT")
    host = parts.hostname or ""
    if kind == "tcp" and (not host or port == 0):
        raise InputError(f"{text}: a feed to connect to needs a host and a port other than 0")
    return SourceSpec(kind, host=host, port=port)


def open_source(
    text: str,
    settings: Settings | None = None,
    *,
    follow: bool = False,
    clock: Clock = utc_now,
) -> Source:
    """Open the source a SOURCE string names: files are opened and listeners bound now."""
    settings = settings or Settings()
    spec = parse_source(text)
    if spec.kind == "file":
        return FileSource(spec.path, follow=follow, clock=clock)
    if spec.kind == "tcp":
        return TcpClientSource(
            spec.host, spec.port, max_wait_seconds=settings.reconnect_max_seconds, clock=clock
        )
    if spec.kind == "tcp-listen":
        return TcpListenSource(spec.host, spec.port, clock=clock)
    return UdpSource(spec.host, spec.port, clock=clock)
