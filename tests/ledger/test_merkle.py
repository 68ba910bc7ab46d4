"""The Merkle tree against RFC 6962's published test vectors (as carried by the Go
implementations in transparency-dev/merkle: the hashes are taken as data), against a plain
recursive MTH, and its proofs' edge cases: sizes 0 and 1, equal sizes, powers of two."""

from __future__ import annotations

import hashlib
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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

LEAVES = [
    bytes.fromhex(h)
    for h in (
        *("", "00", "10", "2021", "3031", "40414243", "5051525354555657"),
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOTS = [
    bytes.fromhex(h)
    for h in (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]
LEVEL0 = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
]
LEVEL1 = [
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
]
LEVEL2 = [
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
]


def h(text: str) -> bytes:
    return bytes.fromhex(text)


# (leaf index, tree size, audit path): the published inclusion proofs.
INCLUSION = [
    (0, 8, [h(LEVEL0[1]), h(LEVEL1[1]), h(LEVEL2[1])]),
    (5, 8, [h(LEVEL0[4]), h(LEVEL1[3]), h(LEVEL2[0])]),
    (2, 3, [h(LEVEL1[0])]),
    (1, 5, [h(LEVEL0[0]), h(LEVEL1[1]), h(LEVEL0[4])]),
]
# (old size, new size, proof): the published consistency proofs.
CONSISTENCY = [
    (1, 1, []),
    (1, 8, [h(LEVEL0[1]), h(LEVEL1[1]), h(LEVEL2[1])]),
    (6, 8, [h(LEVEL1[2]), h(LEVEL1[3]), h(LEVEL2[0])]),
    (2, 5, [h(LEVEL1[1]), h(LEVEL0[4])]),
    (6, 7, [h(LEVEL1[2]), h(LEVEL0[6]), h(LEVEL2[0])]),
]
SOME_HASH = h("abacaba000000000000000000000000000000000000000000060061e00123456")


def vector_tree() -> Tree:
    return Tree(leaf_hash(leaf) for leaf in LEAVES)


def mth(leaves: list[bytes]) -> bytes:
    """RFC 6962's MTH, written as the RFC defines it."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def test_hashes_are_rfc_6962s() -> None:
    assert ROOTS[0] == EMPTY_ROOT
    assert [leaf_hash(leaf).hex() for leaf in LEAVES] == LEVEL0
    assert node_hash(h(LEVEL0[0]), h(LEVEL0[1])).hex() == LEVEL1[0]


def test_the_root_of_every_size_is_the_published_one() -> None:
    tree = Tree()
    assert tree.root() == ROOTS[0]
    for size, leaf in enumerate(LEAVES, 1):
        tree.append(leaf_hash(leaf))
        assert tree.root() == ROOTS[size], size
    assert [tree.root(size) for size in range(9)] == ROOTS


def test_complete_subtrees_are_the_published_nodes() -> None:
    tree = vector_tree()
    assert [tree.range_hash(i, i + 2).hex() for i in range(0, 8, 2)] == LEVEL1
    assert [tree.range_hash(i, i + 4).hex() for i in range(0, 8, 4)] == LEVEL2


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_proofs_are_the_published_ones_and_verify(
    index: int, size: int, proof: list[bytes]
) -> None:
    tree = vector_tree()
    assert tree.inclusion_proof(index, size) == proof
    leaf = leaf_hash(LEAVES[index])
    verify_inclusion(index, size, leaf, proof, ROOTS[size])


def corrupted_inclusion(index: int, size: int, proof: list[bytes], root: bytes, leaf: bytes):  # type: ignore[no-untyped-def]
    """The probes of transparency-dev's verifier tests: each must fail."""
    probes = [
        (index - 1, size, root, leaf, proof),
        (index + 1, size, root, leaf, proof),
        (index ^ 2, size, root, leaf, proof),
        (index, size * 2, root, leaf, proof),
        (index, size // 2, root, leaf, proof),
        (index, size, root, b"WrongLeaf", proof),
        (index, size, EMPTY_ROOT, leaf, proof),
        (index, size, SOME_HASH, leaf, proof),
        (index, size, root, leaf, [*proof, b""]),
        (index, size, root, leaf, [*proof, root]),
        (index, size, root, leaf, [b"", *proof]),
        (index, size, root, leaf, [root, *proof]),
    ]
    for i in range(len(proof)):
        wrong = list(proof)
        wrong[i] = bytes([wrong[i][0] ^ 8]) + wrong[i][1:]
        probes.append((index, size, root, leaf, wrong))
    if proof:
        probes.append((index, size, root, leaf, proof[:-1]))
    if len(proof) > 1:
        probes.append((index, size, root, leaf, [proof[0], SOME_HASH, *proof[1:]]))
    return probes


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_every_corruption_of_an_inclusion_proof_fails(
    index: int, size: int, proof: list[bytes]
) -> None:
    leaf = leaf_hash(LEAVES[index])
    for probe in corrupted_inclusion(index, size, proof, ROOTS[size], leaf):
        with pytest.raises(ProofError):
            verify_inclusion(*probe[:2], probe[3], probe[4], probe[2])


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_consistency_proofs_are_the_published_ones_and_verify(
    old: int, new: int, proof: list[bytes]
) -> None:
    tree = vector_tree()
    assert tree.consistency_proof(old, new) == proof
    verify_consistency(old, new, ROOTS[old], ROOTS[new], proof)


@pytest.mark.parametrize(("old", "new", "proof"), [c for c in CONSISTENCY if c[2]])
def test_every_corruption_of_a_consistency_proof_fails(
    old: int, new: int, proof: list[bytes]
) -> None:
    r1, r2 = ROOTS[old], ROOTS[new]
    probes = [
        (old - 1, new, r1, r2, proof),
        (old + 1, new, r1, r2, proof),
        (old ^ 2, new, r1, r2, proof),
        (old, new * 2, r1, r2, proof),
        (old, new // 2, r1, r2, proof),
        (old, new, b"WrongRoot", r2, proof),
        (old, new, r1, b"WrongRoot", proof),
        (old, new, r2, r1, proof),
        (old, new, r1, r2, []),
        (old, new, r1, r2, [*proof, b""]),
        (old, new, r1, r2, [*proof, r1]),
        (old, new, r1, r2, [*proof, r2]),
        (old, new, r1, r2, [b"", *proof]),
        (old, new, r1, r2, [r1, *proof]),
        (old, new, r1, r2, [r2, *proof]),
        (old, new, r1, r2, [proof[0], *proof]),
        (old, new, r1, r2, proof[:-1]),
    ]
    for i in range(len(proof)):
        wrong = list(proof)
        wrong[i] = bytes([wrong[i][0] ^ 16]) + wrong[i][1:]
        probes.append((old, new, r1, r2, wrong))
    for probe in probes:
        with pytest.raises(ProofError):
            verify_consistency(*probe)


def test_the_edge_cases_of_consistency() -> None:
    a, b = hashlib.sha256(b"a").digest(), hashlib.sha256(b"b").digest()
    # Always consistent: nothing to prove.
    verify_consistency(0, 0, a, a, [])
    verify_consistency(0, 1, a, b, [])
    verify_consistency(1, 1, b, b, [])
    failing = [
        (0, 0, a, b, []),  # one size, two roots
        (1, 1, a, b, []),
        (1, 0, a, b, []),  # back in time
        (2, 1, a, b, []),
        (1, 2, a, b, []),  # no proof where one is needed
        (0, 0, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT]),  # a proof where none is
        (0, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT]),
        (1, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT]),
    ]
    for probe in failing:
        with pytest.raises(ProofError):
            verify_consistency(*probe)


def test_the_edge_cases_of_inclusion() -> None:
    one = leaf_hash(b"data")
    verify_inclusion(0, 1, one, [], one)  # a tree of one: the root is the leaf
    for index, size in ((0, 0), (1, 0), (1, 1), (2, 1)):
        with pytest.raises(ProofError):
            verify_inclusion(index, size, SOME_HASH, [], EMPTY_ROOT)
    with pytest.raises(ProofError):
        verify_inclusion(0, 1, one, [], b"")  # a hash of the wrong size
    with pytest.raises(ProofError):
        Tree().inclusion_proof(0, 0)
    with pytest.raises(ProofError):
        vector_tree().inclusion_proof(0, 9)  # beyond the tree
    assert Tree().consistency_proof(0, 0) == []
    assert vector_tree().consistency_proof(8, 8) == []
    assert vector_tree().consistency_proof(0, 8) == []


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 65, 100])
def test_every_leaf_and_every_prefix_proves_at_power_of_two_boundaries(size: int) -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    tree = Tree(leaves)
    assert tree.root() == mth(leaves)
    for index in range(size):
        proof = tree.inclusion_proof(index)
        assert len(proof) <= math.ceil(math.log2(size)) if size > 1 else not proof
        verify_inclusion(index, size, leaves[index], proof, tree.root())
    for old in range(size + 1):
        proof = tree.consistency_proof(old)
        verify_consistency(old, size, tree.root(old), tree.root(), proof)
        assert tree.root(old) == mth(leaves[:old])


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=600),
    st.data(),
)
def test_append_prove_verify(size: int, data: st.DataObject) -> None:
    leaves = [
        leaf_hash(data.draw(st.binary(max_size=8)) + i.to_bytes(2, "big")) for i in range(size)
    ]
    tree = Tree()
    for leaf in leaves:
        tree.append(leaf)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    smaller = data.draw(st.integers(min_value=index + 1, max_value=size))
    proof = tree.inclusion_proof(index, smaller)
    assert root_from_inclusion(index, smaller, leaves[index], proof) == mth(leaves[:smaller])
    old = data.draw(st.integers(min_value=0, max_value=size))
    consistency = tree.consistency_proof(old, size)
    verify_consistency(old, size, mth(leaves[:old]), tree.root(), consistency)
    # A different history of the same size never proves consistent with it.
    if old > 0:
        forked = list(leaves)
        forked[data.draw(st.integers(min_value=0, max_value=old - 1))] = leaf_hash(b"forked")
        with pytest.raises(ProofError):
            verify_consistency(old, size, mth(forked[:old]), tree.root(), consistency)


def test_a_leaf_hash_is_32_bytes() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Tree().append(b"short")
