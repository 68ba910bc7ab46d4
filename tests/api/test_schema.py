"""Schemathesis against the OpenAPI description, in-process: generated requests to every
operation, as a party admin and as a viewer; no answer is a server error, and every answer
fits its documented status, content type and schema; invalid requests are refused.

One check is left out: that every request valid by the description is accepted. Some
refusals are not the description's to say: a time window that ends before it starts, a
page cursor this server never gave, a password the policy refuses; those get 400 with
their reason, by design."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.api.conftest import Running
from tests.api.test_matrix import OPERATIONS

EXAMPLES = 15


def _operation(running: Running, method: str, path: str) -> Any:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", running.client.app)
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() == method and operation.path == path:
            return operation
    raise AssertionError(f"{method} {path} is not in the description")


@pytest.mark.parametrize("user", ["nato_admin", "plan_viewer"])
@pytest.mark.parametrize(
    ("method", "path"), [pytest.param(m, p, id=f"{m} {p}") for m, p, _ in OPERATIONS]
)
def test_every_operation_keeps_to_its_description(
    running: Running, method: str, path: str, user: str
) -> None:
    operation = _operation(running, method, path)
    headers = running.token(user)

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    check()
