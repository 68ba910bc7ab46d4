"""The ledger over HTTP: its signed checkpoint, entries as your party may read them, and
the proofs a client checks for itself (inclusion of an entry, consistency of two sizes).

Entries of channels your party is not in come as their leaf hash only (``redacted``):
enough to check the tree, nothing of what they say. The keys served here are those this
server holds; verify with the keys the parties exchanged (``shade ledger verify``).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request

from shade.api.auth import Principal, access, actor, party_admin, remote, server_of, signed_in
from shade.api.schemas import (
    CheckpointOut,
    ConsistencyOut,
    EntryOut,
    EntryPage,
    InclusionOut,
    KeysOut,
)
from shade.errors import InputError, NotFoundError
from shade.ledger import (
    ProofError,
    add_cosignature,
    parse_checkpoint,
    parse_note,
    verify_consistency,
)
from shade.store.ledger import StoredCheckpoint
from shade.tracks.export import iso

router = APIRouter(prefix="/api/ledger", tags=["ledger"])


def _checkpoint_out(stored: StoredCheckpoint) -> dict[str, Any]:
    checkpoint = parse_checkpoint(parse_note(stored.note).text)
    return {
        "origin": checkpoint.origin,
        "size": stored.size,
        "root": parse_note(stored.note).text.split("\n")[2],
        "note": stored.note,
        "signed_at": iso(stored.signed_at),
        "cosigners": list(stored.cosigners),
    }


@router.get("/checkpoint", response_model=CheckpointOut, **access("signed_in"))
def checkpoint(
    request: Request,
    size: int | None = Query(None, ge=0, le=2**53),
    principal: Principal = Depends(signed_in),
) -> dict[str, Any]:
    """The newest signed checkpoint (or the one of ``size``), with its cosignatures."""
    stored = server_of(request).store.ledger.checkpoint(size)
    if stored is None:
        raise NotFoundError("no checkpoint of that size" if size else "the ledger is empty")
    return _checkpoint_out(stored)


@router.get("/keys", response_model=KeysOut, **access("signed_in"))
def keys(request: Request, principal: Principal = Depends(signed_in)) -> dict[str, Any]:
    return {"text": server_of(request).signers.keyring().text}


def _entry_out(seq: int, line: bytes, readable: bool, leaf: bytes) -> dict[str, Any]:
    return {"seq": seq, "line": line.decode(), "readable": readable, "leaf": leaf.hex()}


@router.get("/entries", response_model=EntryPage, **access("signed_in"))
def entries(
    request: Request,
    start: int = Query(0, ge=0, le=2**53, alias="from"),
    limit: int = Query(1000, ge=1),
    principal: Principal = Depends(signed_in),
) -> dict[str, Any]:
    """Entries from ``from`` on, in order, as your party may read them."""
    server = server_of(request)
    size = min(limit, server.settings.api_page_max)
    total = server.store.ledger.size()
    end = min(total, start + size)
    items = [
        _entry_out(seq, line, readable, server.store.ledger.leaf(seq) or b"")
        for seq, line, readable in server.store.ledger.lines(principal.user.party or "", start, end)
    ]
    return {"items": items, "next": str(end) if end < total else None}


@router.get("/entries/{seq}", response_model=EntryOut, **access("signed_in"))
def entry(
    request: Request,
    seq: int = Path(ge=0, le=2**53),
    principal: Principal = Depends(signed_in),
) -> dict[str, Any]:
    ledger = server_of(request).store.ledger
    found = list(ledger.lines(principal.user.party or "", seq, seq + 1))
    if not found:
        raise NotFoundError(f"no entry {seq}")
    number, line, readable = found[0]
    return _entry_out(number, line, readable, ledger.leaf(seq) or b"")


@router.get("/proof/inclusion", response_model=InclusionOut, **access("signed_in"))
def inclusion(
    request: Request,
    seq: int = Query(ge=0, le=2**53),
    size: int = Query(ge=1, le=2**53),
    principal: Principal = Depends(signed_in),
) -> dict[str, Any]:
    """The audit path of entry ``seq`` in the tree of ``size`` entries."""
    ledger = server_of(request).store.ledger
    try:
        proof = ledger.inclusion_proof(seq, size)
    except ProofError as exc:
        raise NotFoundError(exc.message) from None
    leaf = ledger.leaf(seq) or b""
    return {"seq": seq, "size": size, "leaf": leaf.hex(), "proof": [h.hex() for h in proof]}


@router.get("/proof/consistency", response_model=ConsistencyOut, **access("signed_in"))
def consistency(
    request: Request,
    old: int = Query(ge=0, le=2**53),
    new: int = Query(ge=0, le=2**53),
    principal: Principal = Depends(signed_in),
) -> dict[str, Any]:
    """The proof that the tree of ``old`` entries is a prefix of that of ``new``."""
    try:
        proof = server_of(request).store.ledger.consistency_proof(old, new)
    except ProofError as exc:
        raise NotFoundError(exc.message) from None
    return {"old": old, "new": new, "proof": [h.hex() for h in proof]}


@router.post("/cosign", response_model=CheckpointOut, **access("party_admin"))
def cosign(request: Request, principal: Principal = Depends(party_admin)) -> dict[str, Any]:
    """Cosign the newest checkpoint with your party's key, held on this server, after
    checking that it extends the last checkpoint your party cosigned."""
    server = server_of(request)
    party = principal.user.party
    if party is None:
        # Allowed to ask, like every party_admin route, but there is nothing to sign with.
        raise InputError("a server admin belongs to no party: cosign as a party's admin")
    key = server.signers.party(party)
    ledger = server.store.ledger
    newest = ledger.checkpoint()
    if newest is None:
        raise InputError("the ledger is empty: nothing to cosign")
    last = ledger.last_cosigned(party)
    if last is not None:
        try:
            proof = ledger.consistency_proof(last.size, newest.size)
            verify_consistency(last.size, newest.size, last.root, newest.root, proof)
        except ProofError as exc:
            raise InputError(
                f"refused: the log does not extend what {party} cosigned: {exc}"
            ) from None
    now = int(time.time())
    note = add_cosignature(parse_note(newest.note), key, now)
    line = note.signatures[-1].line
    ledger.add_cosignature(
        newest.size,
        party,
        line,
        datetime.fromtimestamp(now, UTC),
        actor=actor(principal),
        remote=remote(request),
    )
    stored = ledger.checkpoint(newest.size)
    assert stored is not None
    return _checkpoint_out(stored)
