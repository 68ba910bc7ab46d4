"""The ledger: an append-only, signed, Merkle-hashed record of what the parties said.

Pure: no HTTP, no SQL (files only, for keys and exports). ``canonical`` gives the bytes,
``entries`` signs them, ``merkle`` hashes and proves (RFC 6962 / 9162), ``checkpoint`` and
``notes`` sign tree heads (C2SP), ``keys`` and ``signers`` hold the keys, ``export`` and
``verify`` let each party check the record alone.
"""

from shade.ledger.canonical import CanonicalError, decimal
from shade.ledger.checkpoint import (
    Checkpoint,
    CheckpointError,
    Opened,
    add_cosignature,
    open_checkpoint,
    parse_checkpoint,
    sign_checkpoint,
)
from shade.ledger.entries import Entry, Record, RecordError, read_record, sign_entry, verify_record
from shade.ledger.keys import (
    KeyRing,
    LedgerKeyError,
    SignerKey,
    VerifierKey,
    parse_keyring,
    parse_signer,
    parse_verifier,
    read_keyring,
    read_signer,
)
from shade.ledger.merkle import (
    EMPTY_ROOT,
    ProofError,
    Tree,
    leaf_hash,
    node_hash,
    root_from_inclusion,
    verify_consistency,
    verify_inclusion,
)
from shade.ledger.notes import Note, NoteError, parse_note
from shade.ledger.signers import Signers, generate_key, load_signers
from shade.ledger.verify import Fault, Report, verify_export

__all__ = [
    "EMPTY_ROOT",
    "CanonicalError",
    "Checkpoint",
    "CheckpointError",
    "Entry",
    "Fault",
    "KeyRing",
    "LedgerKeyError",
    "Note",
    "NoteError",
    "Opened",
    "ProofError",
    "Record",
    "RecordError",
    "Report",
    "SignerKey",
    "Signers",
    "Tree",
    "VerifierKey",
    "add_cosignature",
    "decimal",
    "generate_key",
    "leaf_hash",
    "load_signers",
    "node_hash",
    "open_checkpoint",
    "parse_checkpoint",
    "parse_keyring",
    "parse_note",
    "parse_signer",
    "parse_verifier",
    "read_keyring",
    "read_record",
    "read_signer",
    "root_from_inclusion",
    "sign_checkpoint",
    "sign_entry",
    "verify_consistency",
    "verify_export",
    "verify_inclusion",
    "verify_record",
]
