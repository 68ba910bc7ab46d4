"""Passwords: argon2id hashes that verify the right password only; the policy."""

from __future__ import annotations

import pytest
from argon2 import extract_parameters
from hypothesis import given, settings
from hypothesis import strategies as st

from shade.accounts import PARAMETERS, Passwords, check_password
from shade.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from shade.errors import InputError
from tests.accounts.cheap import CHEAP

passwords = Passwords(CHEAP)


def test_production_parameters_are_rfc_9106s_argon2id() -> None:
    assert PARAMETERS.type.name == "ID"
    assert PARAMETERS.time_cost >= 3 and PARAMETERS.memory_cost >= 64 * 1024
    assert PARAMETERS.salt_len >= 16 and PARAMETERS.hash_len >= 32
    assert Passwords().parameters == PARAMETERS  # the default is production's


def test_a_production_hash_says_its_parameters() -> None:
    hashed = Passwords().hash("correct horse battery")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert extract_parameters(hashed) == PARAMETERS


@settings(max_examples=30, deadline=None)
@given(st.text(min_size=1, max_size=80), st.text(min_size=1, max_size=80))
def test_only_the_right_password_verifies(password: str, other: str) -> None:
    hashed = passwords.hash(password)
    assert hashed.startswith("$argon2id$") and (len(password) < 8 or password not in hashed)
    assert passwords.verify(hashed, password)
    assert passwords.verify(hashed, other) == (other == password)


def test_each_hash_has_its_own_salt() -> None:
    assert passwords.hash("same password!") != passwords.hash("same password!")


def test_a_hash_made_with_other_parameters_still_verifies_and_needs_rehash() -> None:
    old = passwords.hash("twelve chars!")
    production = Passwords()
    assert production.verify(old, "twelve chars!")
    assert production.needs_rehash(old) and not passwords.needs_rehash(old)


@pytest.mark.parametrize("hashed", ["", "not a hash", "$argon2id$v=19$m=64,t=1,p=1$xx$yy"])
def test_a_hash_that_cannot_be_read_verifies_nothing(hashed: str) -> None:
    assert not passwords.verify(hashed, "anything at all")


def test_waste_does_not_fail_on_any_password() -> None:
    passwords.waste("")
    passwords.waste("x" * MAX_LENGTH)


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("alice", "", "at least 12 characters"),
        ("alice", "x" * (MIN_LENGTH - 1), "at least 12 characters"),
        ("alice", "x" * (MAX_LENGTH + 1), "at most 1024 characters"),
        ("watch.officer", "watch.officer", "not be the user name"),
        ("watch.officer", "Watch.Officer ", "not be the user name"),
    ],
)
def test_policy_refuses(name: str, password: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        check_password(name, password)
    assert "\n" not in caught.value.message
    assert not password or password.strip() not in caught.value.message


@pytest.mark.parametrize(
    "password",
    ["x" * MIN_LENGTH, "alice-is-not-my-password", "пароль-двенадцать", "x" * MAX_LENGTH],
)
def test_policy_allows(password: str) -> None:
    assert check_password("alice", password) == password
