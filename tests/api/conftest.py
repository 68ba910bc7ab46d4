"""The server over a real database (SQLite or PostgreSQL, after --db) holding ``world``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import NamedTuple

import pytest
from fastapi.testclient import TestClient

from shade.api import Server, create_app
from shade.store import Store
from tests.api import world


class Running(NamedTuple):
    store: Store
    server: Server
    client: TestClient  # signed in as no one
    now: datetime
    token: Callable[[str], dict[str, str]]  # a user's Authorization header


@pytest.fixture
def running(store_url: str) -> Iterator[Running]:
    store, now = world.build(store_url)
    server = Server.open(store, world.PARTIES, signers=world.SIGNERS)
    tokens: dict[str, dict[str, str]] = {}

    def token(name: str) -> dict[str, str]:
        if name not in tokens:
            _, made = store.create_token(name, "test", actor="test", remote=None)
            tokens[name] = {"Authorization": f"Bearer {made}"}
        return tokens[name]

    with TestClient(create_app(server), base_url="https://testserver") as client:
        yield Running(store, server, client, now, token)
    store.close()
