"""API tokens: shd_<id>_<secret>, unique, found by id, matched by digest only."""

from __future__ import annotations

import hashlib
import re

from hypothesis import given
from hypothesis import strategies as st

from shade.accounts import digest, new_token, token_id, token_matches


def test_a_new_token_has_its_form_and_its_digest() -> None:
    made = new_token()
    assert re.fullmatch(r"shd_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", made.token)
    assert made.token.startswith(f"shd_{made.id}_")
    assert made.digest == hashlib.sha256(made.token.encode()).hexdigest() == digest(made.token)
    assert token_id(made.token) == made.id
    secret = made.token.removeprefix(f"shd_{made.id}_")
    assert secret not in repr(made) and secret not in made.digest


def test_tokens_do_not_repeat() -> None:
    made = [new_token() for _ in range(2000)]
    assert len({m.token for m in made}) == len({m.id for m in made}) == 2000


def test_only_the_token_matches_its_digest() -> None:
    made, other = new_token(), new_token()
    assert token_matches(made.token, made.digest)
    assert not token_matches(other.token, made.digest)
    assert not token_matches(made.token[:-1] + ("A" if made.token[-1] != "A" else "B"), made.digest)
    assert not token_matches(made.token, "")


@given(st.text(max_size=80))
def test_anything_else_has_no_id(text: str) -> None:
    if not re.fullmatch(r"shd_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", text):
        assert token_id(text) is None


def test_malformed_tokens_have_no_id() -> None:
    made = new_token()
    for bad in [
        made.token + "\n",
        made.token + "x",
        made.token[:-1],
        " " + made.token,
        made.token.upper(),
        "shd_",
    ]:
        assert token_id(bad) is None
