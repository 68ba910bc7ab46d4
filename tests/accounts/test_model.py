"""Users: names, roles, parties."""

from __future__ import annotations

import pytest

from shade.accounts import Role, check_name, check_user
from shade.errors import InputError


@pytest.mark.parametrize("name", ["alice", "a", "watch.officer-2", "x_y", "0" * 64])
def test_names_allowed(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize("name", ["", "Alice", "-a", ".a", "a b", "a" * 65, "é", "a/b", "a\n"])
def test_names_refused(name: str) -> None:
    with pytest.raises(InputError, match="lower-case letters"):
        check_name(name)


def test_roles_are_those_of_the_issues_least_to_most() -> None:
    # The server issue's four, and the hotline's duty officer (escalations go to it).
    assert [r.value for r in Role] == [
        "viewer",
        "watch_officer",
        "duty_officer",
        "liaison_officer",
        "party_admin",
    ]
    assert check_user("a", "eunavfor", "liaison_officer", False) is Role.LIAISON_OFFICER
    assert Role.DUTY_OFFICER.at_least(Role.WATCH_OFFICER)
    assert not Role.WATCH_OFFICER.at_least(Role.DUTY_OFFICER)
    assert all(role.at_least(role) for role in Role)


def test_a_user_needs_a_party_unless_server_admin() -> None:
    with pytest.raises(InputError, match="needs a party"):
        check_user("a", None, Role.VIEWER, False)
    assert check_user("root", None, Role.VIEWER, True) is Role.VIEWER
    assert check_user("boss", "plan", Role.PARTY_ADMIN, True) is Role.PARTY_ADMIN


@pytest.mark.parametrize(
    ("party", "role", "message"),
    [
        ("eunavfor", "captain", "no role 'captain': use one of viewer, watch_officer"),
        ("", "viewer", "is not a party id"),
        ("neutral", "viewer", "is not a party id"),
        ("a b", "viewer", "is not a party id"),
    ],
)
def test_users_refused(party: str, role: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        check_user("a", party, role, False)
