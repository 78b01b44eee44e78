"""Word n-grams, Jaccard similarity, MinHash signatures and the near-duplicate index."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from optolab.synth.ngrams import MinHasher, NearDuplicateIndex, jaccard, shingles, words

BAKERY = ("A bakery makes sourdough and rye loaves. A sourdough loaf earns $3.5 and needs 0.5 kg of flour; a rye loaf "
          "earns $2.8 and needs 0.6 kg. There are 120 kg of flour and the oven holds 300 loaves. How many of each "
          "should it bake to maximize profit?")
FARM = ("A farmer plants wheat and barley on 500 hectares. Wheat earns $420 per hectare and needs 3 days of labour; "
        "barley earns $310 and needs 2 days. 1,600 days of labour are available. How should the land be split?")


def test_words_and_shingles_normalize_text():
    assert words("Costs $1,200.50 per Unit!") == ["costs", "1,200.50", "per", "unit"]
    assert shingles("a b c d", 3) == {"a b c", "b c d"}
    assert shingles("a b", 3) == {"a b"} and shingles("", 3) == set()
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3) and jaccard(set(), set()) == 0.0
    with pytest.raises(ValueError):
        shingles("a", 0)


def test_minhash_estimates_jaccard():
    hasher = MinHasher(num_perm=256, seed=3)
    a, b = shingles(BAKERY, 3), shingles(BAKERY.replace("rye", "spelt").replace("120", "140"), 3)
    est = float(np.mean(hasher.signature(a) == hasher.signature(b)))
    assert abs(est - jaccard(a, b)) < 0.12
    assert (hasher.signature(a) == MinHasher(num_perm=256, seed=3).signature(a)).all()  # the same in every process


def test_index_finds_near_duplicates_and_leaves_others():
    index = NearDuplicateIndex(threshold=0.6)
    index.add("bakery", BAKERY)
    index.add("farm", FARM)
    reworded = BAKERY.replace("How many of each should it bake", "How many of each kind should be baked")
    key, sim = index.match(reworded)
    assert key == "bakery" and 0.6 <= sim < 1.0
    assert index.match("A hospital schedules nurses over 7 days with at least 12 on each shift.") is None
    assert index.match(FARM) == ("farm", 1.0) and len(index) == 2 and "farm" in index
    with pytest.raises(ValueError, match="already in the index"):
        index.add("farm", FARM)


def test_threshold_decides_what_counts_as_a_repeat():
    changed = BAKERY.replace("sourdough", "spelt").replace("rye", "oat").replace("flour", "meal")
    sim = jaccard(shingles(BAKERY, 3), shingles(changed, 3))
    loose, strict = NearDuplicateIndex(threshold=sim - 0.05), NearDuplicateIndex(threshold=sim + 0.05)
    for index in (loose, strict):
        index.add("bakery", BAKERY)
    assert loose.match(changed)[0] == "bakery" and strict.match(changed) is None


def test_check_and_add_is_atomic_across_threads():
    index = NearDuplicateIndex(threshold=0.7)
    added: list[str] = []
    lock = threading.Lock()

    def worker(i):
        if index.add_unless_duplicate(f"t{i}", BAKERY) is None:
            with lock:
                added.append(f"t{i}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(added) == 1 and len(index) == 1


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="threshold"):
        NearDuplicateIndex(threshold=0.0)
    with pytest.raises(ValueError, match="multiple of bands"):
        NearDuplicateIndex(num_perm=100, bands=32)
