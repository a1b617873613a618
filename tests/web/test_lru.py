"""portal.lru.LRU: the least recently used value goes first, a kept value is not made
again, and a key that cannot be hashed fails before anything is made."""

from __future__ import annotations

import pytest

from portal.lru import LRU


def test_least_recently_used_goes_first() -> None:
    made: list[str] = []
    lru: LRU[str, str] = LRU(2)

    def make(key: str) -> str:
        made.append(key)
        return key.upper()

    assert lru.get_or_make("a", lambda: make("a")) == "A"
    assert lru.get_or_make("b", lambda: make("b")) == "B"
    assert lru.get_or_make("a", lambda: make("a")) == "A"  # kept; now the most recent
    assert lru.get_or_make("c", lambda: make("c")) == "C"  # "b" goes
    assert len(lru) == 2
    assert lru.get_or_make("a", lambda: make("a")) == "A"
    assert lru.get_or_make("b", lambda: make("b")) == "B"  # made again
    assert made == ["a", "b", "c", "b"]
    lru.clear()
    assert len(lru) == 0


def test_an_unhashable_key_fails_before_making() -> None:
    lru: LRU[object, int] = LRU(2)
    with pytest.raises(TypeError):
        lru.get_or_make(([],), lambda: pytest.fail("made"))  # type: ignore[arg-type]


def test_get_and_put_keep_the_order_of_use() -> None:
    lru: LRU[str, int] = LRU(2)
    assert lru.get("a") is None
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # now the most recent
    lru.put("c", 3)  # "b" goes
    assert (lru.get("a"), lru.get("b"), lru.get("c")) == (1, None, 3)
    lru.put("a", 4)  # replaced, and the most recent
    lru.put("d", 5)  # "c" goes
    assert (lru.get("a"), lru.get("c"), lru.get("d"), len(lru)) == (4, None, 5, 2)
