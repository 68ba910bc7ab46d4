"""Users, tokens and audit entries as JSON values: the shapes ``shade user list --json``,
``shade token list --json`` and the API give. Pure: values in, dicts out. Never a password
hash, a token's secret or its digest: those are not in the values to begin with.
"""

from __future__ import annotations

from typing import Any

from shade.accounts.model import AuditEntry, Token, User
from shade.tracks.export import iso


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "party": user.party,
        "role": user.role.value,
        "admin": user.admin,
        "disabled": user.disabled,
        "created_at": iso(user.created_at),
    }


def token_json(token: Token, user: str) -> dict[str, Any]:
    return {
        "id": token.id,
        "user": user,
        "label": token.label,
        "created_at": iso(token.created_at),
        "last_used_at": iso(token.last_used_at),
        "revoked_at": iso(token.revoked_at),
    }


def audit_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": iso(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "remote": entry.remote,
        "detail": entry.detail,
    }
