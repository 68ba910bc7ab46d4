"""``shade user`` and ``shade token``: accounts and API tokens, from the server's console.

Every change is recorded in the audit log with the actor "cli:<operating-system user>" and
the remote "local".
"""

from __future__ import annotations

import getpass
import os
import sys

import click
import orjson

from shade.accounts import Role, check_password, check_user
from shade.accounts.export import token_json, user_json
from shade.accounts.tokens import token_id as id_of_token
from shade.cli.history import db_option, open_store
from shade.errors import InputError
from shade.parties import load_parties
from shade.tracks.export import iso

REMOTE = "local"
_ROLES = click.Choice([role.value for role in Role], case_sensitive=False)


def actor() -> str:
    """Who runs the command, as the audit log names them."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no login name nor password entry: a bare container
        name = f"uid{os.getuid()}"
    return f"cli:{name}"


def _read_password(name: str, from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise InputError("no password on standard input")
        return check_password(name, line.removesuffix("\n").removesuffix("\r"))
    if not sys.stdin.isatty():
        raise InputError("no terminal to ask the password on: give it with --password-stdin")

    def policy(password: str) -> str:
        try:
            return check_password(name, password)
        except InputError as exc:
            raise click.UsageError(exc.message) from None  # click says it and asks again

    password: str = click.prompt(
        f"Password for {name}", hide_input=True, confirmation_prompt=True, value_proc=policy
    )
    return password


@click.group()
def user() -> None:
    """Accounts: add, list and disable the users who may log in.

    Each user belongs to one party (an id from the parties file) with a role in it:
    viewer, watch_officer, liaison_officer or party_admin. A server-wide admin (--admin)
    may belong to none. Every change is recorded in the audit log.
    """


@user.command("add")
@click.argument("name")
@click.option("--party", metavar="ID", help="The user's party: an id from --parties FILE.")
@click.option(
    "--parties",
    "parties_path",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="The parties file (TOML; see docs/detect.md) that --party is checked against.",
)
@click.option("--role", type=_ROLES, default=Role.VIEWER.value, show_default=True)
@click.option("--admin", is_flag=True, help="A server-wide admin (who may have no party).")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of asking.",
)
@db_option
def add_user(
    name: str,
    party: str | None,
    parties_path: str | None,
    role: str,
    admin: bool,
    password_stdin: bool,
    db: str | None,
) -> None:
    """Add a user; the password is asked twice on the terminal (or see --password-stdin).

    NAME is 1 to 64 lower-case letters, digits, '.', '_' or '-'. A password has at least
    12 characters and is not the name; it is stored as an argon2id hash.

    \b
    Examples:
      shade user add alice --party eunavfor --parties parties.toml --role watch_officer
      shade user add root --admin
      printf '%s\\n' "$PASSWORD" | shade user add bot --party plan --parties p.toml \\
          --password-stdin
    """
    if party is not None:
        if parties_path is None:
            raise click.UsageError("--party needs --parties FILE, to check the party id")
        parties = load_parties(parties_path)
        if parties.get(party) is None:
            known = ", ".join(p.id for p in parties.parties) or "none"
            raise InputError(f"no party {party!r} in {parties_path} (it has {known})")
    elif not admin:
        raise click.UsageError("a user needs --party ID (only an --admin may have none)")
    wanted = check_user(name, party, role.lower(), admin)
    with open_store(db, new=True) as store:
        # Said before the password is asked for, not after it was typed twice.
        if store.user(name) is not None:
            raise InputError(f"user {name!r} exists already")
        password = _read_password(name, password_stdin)
        added = store.add_user(name, password, party, wanted, admin, actor=actor(), remote=REMOTE)
    where = f"party {added.party}" if added.party else "no party"
    admin_text = ", server admin" if added.admin else ""
    click.echo(f"added user {added.name} ({where}, role {added.role.value}{admin_text})")


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="Write JSON Lines: one object per user.")
@db_option
def list_users(as_json: bool, db: str | None) -> None:
    """List the users, by name.

    \b
    --json objects, one per user (a stable interface):
      id, name, party (null for none), role, admin, disabled, created_at (UTC ISO 8601).
    """
    with open_store(db) as store:
        found = store.users()
    if as_json:
        for one in found:
            click.echo(orjson.dumps(user_json(one)).decode())
        return
    click.echo(f"{'NAME':<20}  {'PARTY':<16}  {'ROLE':<15}  {'ADMIN':<5}  {'STATE':<8}  CREATED")
    for one in found:
        click.echo(
            f"{one.name:<20}  {one.party or '-':<16}  {one.role.value:<15}  "
            f"{'yes' if one.admin else 'no':<5}  {'disabled' if one.disabled else 'active':<8}  "
            f"{iso(one.created_at)}"
        )


@user.command("disable")
@click.argument("name")
@db_option
def disable_user(name: str, db: str | None) -> None:
    """Disable a user: their password and tokens stop working at once."""
    with open_store(db) as store:
        changed = store.disable_user(name, actor=actor(), remote=REMOTE)
    click.echo(f"disabled user {name}" if changed else f"user {name} was disabled already")


@click.group()
def token() -> None:
    """API tokens for scripts: made for a user, shown once, revocable.

    A token reads shd_<ID>_<SECRET>; the ID is public (lists, revoke), only a digest of
    the whole token is stored. Every change is recorded in the audit log.
    """


@token.command("create")
@click.argument("name")
@click.option("--label", default="", help="What the token is for, e.g. 'nightly export'.")
@db_option
def create_token(name: str, label: str, db: str | None) -> None:
    """Make a token for user NAME and print it on stdout, once: it is never shown again.

    \b
    Example:
      shade token create alice --label "nightly export" > alice.token
    """
    with open_store(db) as store:
        made_id, made = store.create_token(name, label, actor=actor(), remote=REMOTE)
    click.echo(made)
    click.echo(
        f"shade: token {made_id} for {name}: keep it now, it will not be shown again",
        err=True,
    )


@token.command("list")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Write JSON Lines: one object per token.")
@db_option
def list_tokens(name: str, as_json: bool, db: str | None) -> None:
    """List user NAME's tokens (never their secrets), oldest first.

    \b
    --json objects, one per token (a stable interface):
      id, user, label, created_at, last_used_at, revoked_at (UTC ISO 8601, null if not).
    """
    with open_store(db) as store:
        found = store.tokens(name)
    if as_json:
        for one in found:
            click.echo(orjson.dumps(token_json(one, name)).decode())
        return
    click.echo(f"{'ID':<12}  {'CREATED':<27}  {'LAST USED':<27}  {'STATE':<7}  LABEL")
    for one in found:
        click.echo(
            f"{one.id:<12}  {iso(one.created_at):<27}  {iso(one.last_used_at) or '-':<27}  "
            f"{'revoked' if one.revoked else 'active':<7}  {one.label or '-'}"
        )


@token.command("revoke")
@click.argument("token_id", metavar="TOKEN_ID")
@db_option
def revoke_token(token_id: str, db: str | None) -> None:
    """Revoke a token for good (TOKEN_ID as `shade token list` shows it, or the token)."""
    wanted = id_of_token(token_id) or token_id
    with open_store(db) as store:
        changed = store.revoke_token(wanted, actor=actor(), remote=REMOTE)
    click.echo(f"revoked token {wanted}" if changed else f"token {wanted} was revoked already")
