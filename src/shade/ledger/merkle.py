"""The Merkle tree of the ledger, hashed as RFC 6962 / RFC 9162 say (SHA-256, leaf hash
``H(0x00 || entry)``, node hash ``H(0x01 || left || right)``), and its proofs.

``Tree`` keeps every complete subtree's hash by level (level 0 the leaf hashes; level k
the subtrees of 2**k leaves that start at a multiple of 2**k), so appending is amortised
O(1), and the root of any size, an inclusion proof or a consistency proof takes
O(log n) hashes over stored nodes. The proofs are RFC 9162's PATH (2.1.3.1) and PROOF
(2.1.4.1); the verifiers are its algorithms 2.1.3.2 and 2.1.4.2, and raise ``ProofError``
saying why a proof fails.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Final

from shade.errors import InputError

HASH_SIZE: Final = 32
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()


class ProofError(InputError):
    """A proof that does not prove what it is said to."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class Tree:
    """An append-only Merkle tree over leaf hashes."""

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [[]]
        self.extend(leaves)

    @property
    def size(self) -> int:
        return len(self._levels[0])

    def __len__(self) -> int:
        return self.size

    def leaf(self, index: int) -> bytes:
        return self._levels[0][index]

    def append(self, leaf: bytes) -> None:
        """Add a leaf hash (``leaf_hash`` of the entry's bytes)."""
        if len(leaf) != HASH_SIZE:
            raise ValueError(f"a leaf hash is {HASH_SIZE} bytes, not {len(leaf)}")
        levels = self._levels
        levels[0].append(leaf)
        level = 0
        # A level that has just become even completes a subtree one level up.
        while len(levels[level]) % 2 == 0:
            below = levels[level]
            if level + 1 == len(levels):
                levels.append([])
            levels[level + 1].append(node_hash(below[-2], below[-1]))
            level += 1

    def extend(self, leaves: Iterable[bytes]) -> None:
        for leaf in leaves:
            self.append(leaf)

    def root(self, size: int | None = None) -> bytes:
        """The root hash of the tree's first ``size`` leaves (all of them by default)."""
        size = self.size if size is None else size
        self._check_size(size)
        return EMPTY_ROOT if size == 0 else self.range_hash(0, size)

    def range_hash(self, start: int, end: int) -> bytes:
        """MTH of leaves start..end-1 (RFC 9162's MTH(D[start:end]))."""
        n = end - start
        if n == 1:
            return self._levels[0][start]
        if n & (n - 1) == 0 and start % n == 0:
            return self._levels[n.bit_length() - 1][start // n]
        k = _split(n)
        return node_hash(self.range_hash(start, start + k), self.range_hash(start + k, end))

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """The audit path of leaf ``index`` in the tree of ``size`` leaves, leaf side first."""
        size = self.size if size is None else size
        self._check_size(size)
        if not 0 <= index < size:
            raise ProofError(f"no leaf {index} in a tree of {size}")
        proof: list[bytes] = []
        start, end, m = 0, size, index
        # PATH(m, D[start:end]) walked top down; its hashes are listed bottom up.
        while end - start > 1:
            k = _split(end - start)
            if m < k:
                proof.append(self.range_hash(start + k, end))
                end = start + k
            else:
                proof.append(self.range_hash(start, start + k))
                start, m = start + k, m - k
        proof.reverse()
        return proof

    def consistency_proof(self, old: int, new: int | None = None) -> list[bytes]:
        """The proof that the tree of ``old`` leaves is a prefix of that of ``new``."""
        new = self.size if new is None else new
        self._check_size(new)
        if not 0 <= old <= new:
            raise ProofError(f"no consistency proof from size {old} to {new}")
        if old in (0, new):
            return []
        proof: list[bytes] = []
        start, end, m, whole = 0, new, old, True
        # SUBPROOF(m, D[start:end], whole), walked top down; hashes listed bottom up.
        while True:
            n = end - start
            if m == n:
                if not whole:
                    proof.append(self.range_hash(start, end))
                break
            k = _split(n)
            if m <= k:
                proof.append(self.range_hash(start + k, end))
                end = start + k
            else:
                proof.append(self.range_hash(start, start + k))
                start, m, whole = start + k, m - k, False
        proof.reverse()
        return proof

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self.size:
            raise ProofError(f"the tree has {self.size} leaves, not {size}")


def root_of(leaves: Iterable[bytes]) -> bytes:
    """The root hash of a tree of these leaf hashes."""
    return Tree(leaves).root()


def _check_hashes(*hashes: bytes) -> None:
    for value in hashes:
        if len(value) != HASH_SIZE:
            raise ProofError(f"a hash is {HASH_SIZE} bytes, not {len(value)}")


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` leads to from leaf ``index`` of a tree of ``size`` leaves."""
    if not 0 <= index < size:
        raise ProofError(f"no leaf {index} in a tree of {size}")
    _check_hashes(leaf, *proof)
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is too short")
    return r


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """ProofError unless ``proof`` shows leaf ``index`` in the tree of ``size`` with ``root``."""
    _check_hashes(root)
    if root_from_inclusion(index, size, leaf, proof) != root:
        raise ProofError(f"leaf {index} is not in the tree of {size} with that root")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """ProofError unless ``proof`` shows the tree (old_size, old_root) is a prefix of the
    tree (new_size, new_root)."""
    _check_hashes(old_root, new_root, *proof)
    if not 0 <= old_size <= new_size:
        raise ProofError(f"size {old_size} cannot be a prefix of size {new_size}")
    if old_size == new_size:
        if proof:
            raise ProofError("equal sizes take an empty consistency proof")
        if old_root != new_root:
            raise ProofError(f"two different roots for the same size {old_size}")
        return
    if old_size == 0:
        if proof:
            raise ProofError("consistency with the empty tree takes an empty proof")
        return
    if not proof:
        raise ProofError("the consistency proof is empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the consistency proof is too short")
    if fr != old_root:
        raise ProofError(f"the proof does not lead to the root of size {old_size}")
    if sr != new_root:
        raise ProofError(f"the proof does not lead to the root of size {new_size}")
