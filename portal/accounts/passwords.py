"""Password hashing (argon2id) and the password policy of NIST SP 800-63B: a minimum length, no
composition rules, no commonly used password (``common_passwords.txt``)."""

from __future__ import annotations

from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from portal.i18n_core import N_

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


def common_passwords() -> frozenset[str]:
    """The commonly used passwords of ``common_passwords.txt``, in lower case."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def make_hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism,
        hash_len=32, salt_len=16, type=Type.ID,
    )


def verify(hasher: PasswordHasher, stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        # Spend the same effort as a real check so that timing does not reveal accounts.
        hasher.hash(password)
        return False
    try:
        return hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def policy_problems(password: str, *, min_length: int, max_length: int,
                    context: tuple[str, ...] = ()) -> list[tuple[str, dict[str, int]]]:
    """Untranslated messages (with parameters) explaining why a password is refused."""
    problems: list[tuple[str, dict[str, int]]] = []
    if len(password) < min_length:
        problems.append((N_("Use at least %(min)d characters."), {"min": min_length}))
    if len(password) > max_length:
        problems.append((N_("Use at most %(max)d characters."), {"max": max_length}))
    lowered = password.lower()
    common = common_passwords()
    if lowered in common or lowered.strip("0123456789!.") in common:
        problems.append((N_("This password is too common. Choose a less predictable one."), {}))
    elif len(set(password)) < 4:
        problems.append((N_("This password repeats too few characters. "
                            "Choose a less predictable one."), {}))
    for word in context:
        if len(word) >= 4 and word.lower() in lowered:
            problems.append((N_("Do not use your name or e-mail address in the password."), {}))
            break
    return problems
