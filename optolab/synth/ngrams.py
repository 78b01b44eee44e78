"""Word n-grams, Jaccard similarity and MinHash near-duplicate search.

The reverse pipeline drops a generated scenario that nearly repeats one already accepted (or a seed),
and the contamination check measures how much of a synthesized question an evaluation problem
contains. Both work on word n-grams of normalized text: lower case, words and numbers only.

>>> a, b = shingles("Maximize profit from chairs and tables", 3), shingles("maximize the profit from chairs", 3)
>>> round(jaccard(a, b), 2)
0.17
>>> index = NearDuplicateIndex(threshold=0.6)
>>> index.add("s1", "A bakery makes bread and cakes with 30 kg of flour each day.")
>>> index.match("A bakery makes bread and cakes with 30 kg of flour each day!")   # doctest: +ELLIPSIS
('s1', 1.0)
"""

from __future__ import annotations

import hashlib
import re
import threading
from typing import Iterable

import numpy as np

_WORD = re.compile(r"[a-z]+|\d+(?:[.,]\d+)*")
_PRIME = (1 << 31) - 1  # hashes are 32 bits, coefficients below 2**31: products stay below 2**63


def words(text: str) -> list[str]:
    """Lower-case words and numbers (``1,200`` and ``8.5`` stay one token)."""
    return _WORD.findall((text or "").lower())


def shingles(text: str, n: int = 3) -> set[str]:
    """The set of word ``n``-grams of ``text``; a text shorter than ``n`` words is one shingle (or none)."""
    if n < 1:
        raise ValueError(f"n-grams need n >= 1, got {n}")
    toks = words(text)
    if len(toks) < n:
        return {" ".join(toks)} if toks else set()
    return {" ".join(toks[i:i + n]) for i in range(len(toks) - n + 1)}


def jaccard(a: set, b: set) -> float:
    """|a ∩ b| / |a ∪ b|; 0 for two empty sets."""
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def hash32(token: str) -> int:
    """A stable 32-bit hash (Python's ``hash`` of a string changes between processes)."""
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=4).digest(), "little")


class MinHasher:
    """MinHash signatures: ``num_perm`` random linear hash functions over the 32-bit hashes of the shingles."""

    def __init__(self, num_perm: int = 128, seed: int = 1):
        if num_perm < 1:
            raise ValueError(f"num_perm must be >= 1, got {num_perm}")
        rng = np.random.default_rng(seed)
        self.num_perm = num_perm
        self._a = rng.integers(1, _PRIME, size=num_perm, dtype=np.uint64)
        self._b = rng.integers(0, _PRIME, size=num_perm, dtype=np.uint64)

    def signature(self, items: Iterable[str]) -> np.ndarray:
        hashes = np.fromiter((hash32(s) for s in items), dtype=np.uint64)
        if hashes.size == 0:
            return np.full(self.num_perm, _PRIME, dtype=np.uint64)
        values = (hashes[:, None] * self._a[None, :] + self._b[None, :]) % np.uint64(_PRIME)
        return values.min(axis=0)


class NearDuplicateIndex:
    """Texts by key; :meth:`match` finds a stored text whose n-gram Jaccard similarity reaches ``threshold``.

    Candidates come from MinHash locality-sensitive hashing (``bands`` bands of the signature), and each
    candidate's similarity is then computed exactly, so a reported match is never a hashing artefact.
    Safe to use from several threads; :meth:`add_unless_duplicate` checks and adds in one step.
    """

    def __init__(self, threshold: float = 0.7, *, n: int = 3, num_perm: int = 128, bands: int = 32, seed: int = 1):
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        if num_perm % bands:
            raise ValueError(f"num_perm ({num_perm}) must be a multiple of bands ({bands})")
        self.threshold = threshold
        self.n = n
        self.bands = bands
        self.rows = num_perm // bands
        self._hasher = MinHasher(num_perm, seed)
        self._shingles: dict[str, set[str]] = {}
        self._buckets: list[dict[bytes, list[str]]] = [{} for _ in range(bands)]
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._shingles)

    def __contains__(self, key: str) -> bool:
        return key in self._shingles

    def _bands(self, sig: np.ndarray) -> list[bytes]:
        return [sig[i * self.rows:(i + 1) * self.rows].tobytes() for i in range(self.bands)]

    def _match(self, sh: set[str], sig_bands: list[bytes]) -> tuple[str, float] | None:
        candidates: set[str] = set()
        for band, key in zip(self._buckets, sig_bands):
            candidates.update(band.get(key, ()))
        best: tuple[str, float] | None = None
        for key in sorted(candidates):
            sim = jaccard(sh, self._shingles[key])
            if sim >= self.threshold and (best is None or sim > best[1]):
                best = (key, sim)
        return best

    def _add(self, key: str, sh: set[str], sig_bands: list[bytes]) -> None:
        if key in self._shingles:
            raise ValueError(f"key {key!r} is already in the index")
        self._shingles[key] = sh
        for band, b in zip(self._buckets, sig_bands):
            band.setdefault(b, []).append(key)

    def _prepare(self, text: str) -> tuple[set[str], list[bytes]]:
        sh = shingles(text, self.n)
        return sh, self._bands(self._hasher.signature(sh))

    def add(self, key: str, text: str) -> None:
        sh, sig = self._prepare(text)
        with self._lock:
            self._add(key, sh, sig)

    def match(self, text: str) -> tuple[str, float] | None:
        """The most similar stored text at or above the threshold, as ``(key, similarity)``, or None."""
        sh, sig = self._prepare(text)
        with self._lock:
            return self._match(sh, sig)

    def add_unless_duplicate(self, key: str, text: str) -> tuple[str, float] | None:
        """Add ``text`` unless it nearly repeats a stored one; return that match (and add nothing) if it does."""
        sh, sig = self._prepare(text)
        with self._lock:
            found = self._match(sh, sig)
            if found is None:
                self._add(key, sh, sig)
            return found
