"""``shade serve`` as a real process over real sockets: a feed into its ingest listener
comes out of its WebSocket as released to each party; the HTTP API on the same port."""

from __future__ import annotations

import json
import socket
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from websockets.sync.client import connect

from shade.accounts import Passwords, Role
from shade.sim.scenario import reports, sentences
from shade.store import Store
from tests.accounts.cheap import CHEAP
from tests.serving import free_port, serve

NATO_UNIT, PLAN_UNIT, JMSDF_UNIT = 235000001, 412000001, 431000001


def users(db: str) -> dict[str, str]:
    """A viewer of each navy and their tokens; plan releases its units to nato in full."""
    tokens = {}
    with Store.open(db, passwords=Passwords(CHEAP)) as store:
        for party in ("nato", "plan", "jmsdf"):
            name = f"{party}_viewer"
            store.add_user(
                name, "correct horse battery", party, Role.VIEWER, actor="t", remote=None
            )
            tokens[party] = store.create_token(name, actor="t", remote=None)[1]
        store.set_release_rule("plan", "nato", "full", None, None, False, actor="t", remote=None)
    return tokens


def test_a_feed_into_the_server_comes_out_of_its_websocket_per_party(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'serve.db'}"
    tokens = users(db)
    feed_port = free_port()
    with serve(tmp_path, db, "--ingest", f"tcp-listen://127.0.0.1:{feed_port}") as served:
        health = httpx.get(served.url + "api/health", timeout=10)
        assert health.json()["status"] == "ok"
        frames: dict[str, list[dict[str, object]]] = {}
        with ExitStack() as stack:
            sockets = {
                party: stack.enter_context(
                    connect(served.ws_url, additional_headers={"Authorization": f"Bearer {t}"})
                )
                for party, t in tokens.items()
            }
            for ws in sockets.values():
                ws.send(json.dumps({"type": "hello", "resume": None}))
                assert json.loads(ws.recv(timeout=10))["type"] == "snapshot"
            # Five minutes of the demo scenario, starting now, into the server's listener.
            start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
            lines = sentences(reports(5, start_at=start))
            with socket.create_connection(("127.0.0.1", feed_port)) as feed:
                feed.sendall(b"\r\n".join(lines) + b"\r\n")
            for party, ws in sockets.items():
                seen: set[int] = set()
                frames[party] = []
                while not {NATO_UNIT, PLAN_UNIT, JMSDF_UNIT} & seen:
                    try:
                        frame = json.loads(ws.recv(timeout=20))
                    except TimeoutError:
                        raise AssertionError(
                            (party, frames, b"".join(served.log).decode())
                        ) from None
                    frames[party].append(frame)
                    seen |= {p["mmsi"] for p in frame.get("points", [])}  # type: ignore[union-attr]
        denied = httpx.get(served.url + "api/vessels", timeout=10)
        assert denied.status_code == 401 and denied.json()["code"] == "unauthenticated"
    seen = {
        party: {p["mmsi"] for f in fs for p in f.get("points", [])}  # type: ignore[union-attr]
        for party, fs in frames.items()
    }
    assert NATO_UNIT in seen["nato"] and PLAN_UNIT in seen["nato"]
    assert JMSDF_UNIT not in seen["nato"] and NATO_UNIT not in seen["jmsdf"]
    assert PLAN_UNIT not in seen["jmsdf"] and NATO_UNIT not in seen["plan"]
    for fs in frames.values():
        seqs = [f["seq"] for f in fs]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
