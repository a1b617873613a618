"""The portal's in-process caches: named, bounded in bytes, listed, and cleared together.

Every cache is made here (:func:`named` or :func:`memoize`) so that docs/ARCHITECTURE.md can list
them and tests can empty them all (:func:`clear_all`). Keys say what makes a value true (an id and
a revision, a reference-data version, a language), never a whole document.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import threading
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, ParamSpec, TypeVar

from cachetools import LRUCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
P = ParamSpec("P")
R = TypeVar("R")

_MISSING = object()


def approximate_size(value: object, _depth: int = 0) -> int:
    """Bytes a value holds, counting strings, bytes and containers a few levels deep."""
    size = sys.getsizeof(value)
    if _depth > 4:
        return size
    if isinstance(value, dict):
        return size + sum(approximate_size(k, _depth + 1) + approximate_size(v, _depth + 1)
                          for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return size + sum(approximate_size(item, _depth + 1) for item in value)
    slots = getattr(type(value), "__slots__", None)
    if slots:
        return size + sum(approximate_size(getattr(value, name, None), _depth + 1)
                          for name in slots)
    attributes = getattr(value, "__dict__", None)
    if attributes is not None:
        return size + approximate_size(attributes, _depth + 1)
    return size


@dataclass
class Cache(Generic[K, V]):
    """A least-recently-used map holding at most ``max_bytes`` of values (keys included)."""

    name: str
    max_bytes: int
    why: str
    sizeof: Callable[[Any], int] = approximate_size
    hits: int = 0
    misses: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _values: LRUCache[Any, Any] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._values = LRUCache(maxsize=self.max_bytes, getsizeof=self._entry_size)

    def _entry_size(self, entry: tuple[Any, Any, int | None]) -> int:
        key, value, size = entry
        return max(1, size if size is not None else approximate_size(key) + self.sizeof(value))

    def get(self, key: K, default: Any = None) -> Any:
        """The value kept for ``key``, or ``default``."""
        with self._lock:
            entry = self._values.get(key, _MISSING)
            if entry is _MISSING:
                self.misses += 1
                return default
            self.hits += 1
            return entry[1]

    def put(self, key: K, value: V, size: int | None = None) -> None:
        """Keep ``value``; ``size`` (bytes) when the caller knows it better than a walk of
        the value would (a value larger than the whole cache is not kept)."""
        with self._lock, contextlib.suppress(ValueError):
            self._values[key] = (key, value, size)

    def get_or_make(self, key: K, make: Callable[[], V], size: int | None = None) -> V:
        """The value of ``key``; made by ``make`` (outside the lock) and kept when missing."""
        found = self.get(key, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[no-any-return]
        value = make()
        self.put(key, value, size)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self.hits = self.misses = 0

    @property
    def current_bytes(self) -> int:
        return int(self._values.currsize)

    def __len__(self) -> int:
        return len(self._values)


_CACHES: dict[str, Cache[Any, Any]] = {}
_REGISTRY_LOCK = threading.Lock()


def named(name: str, *, max_bytes: int, why: str,
          sizeof: Callable[[Any], int] = approximate_size) -> Cache[Any, Any]:
    """The cache called ``name`` (made on first use; one per name in the process)."""
    with _REGISTRY_LOCK:
        found = _CACHES.get(name)
        if found is None:
            found = _CACHES[name] = Cache(name, max_bytes, why, sizeof)
        return found


def memoize(name: str, *, max_bytes: int, why: str) -> Callable[[Callable[P, R]],
                                                               Callable[P, R]]:
    """A function's results kept in the named cache, keyed by its (hashable) arguments."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        cache = named(name, max_bytes=max_bytes, why=why)

        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            key = (args, tuple(sorted(kwargs.items()))) if kwargs else args
            found = cache.get(key, _MISSING)
            if found is not _MISSING:
                return found  # type: ignore[no-any-return]
            value = function(*args, **kwargs)
            cache.put(key, value)
            return value

        wrapper.cache = cache  # type: ignore[attr-defined]
        return wrapper

    return decorate


def all_caches() -> Iterator[Cache[Any, Any]]:
    yield from list(_CACHES.values())


def clear_all() -> None:
    """Empty every cache (tests do so between tests)."""
    for cache in all_caches():
        cache.clear()
