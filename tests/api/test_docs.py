"""docs/api.md lists every route the server serves, and no route it does not."""

from __future__ import annotations

import re
from pathlib import Path

from tests.api.test_matrix import OPERATIONS

PAGE = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def test_every_route_is_in_the_routes_table_and_every_row_is_a_route() -> None:
    rows = set()
    for method, path in re.findall(
        r"^\| `(GET|POST|PUT|DELETE|PATCH) ([^`?]+)", PAGE.read_text(), re.M
    ):
        rows.add((method, path))
    served = {(method, path) for method, path, _ in OPERATIONS}
    assert served - rows == set(), "routes missing from docs/api.md"
    assert rows - served == set(), "docs/api.md lists routes the server does not serve"
