"""Single sign-on of staff through the Department's OpenID provider: which portal account an
identity the provider vouched for is, and with which role (framework-free; the web layer checks
the ID token and calls these).

An identity is the provider's stable (issuer, subject) pair. A known pair signs in to its linked
account, whose e-mail address and name then follow the provider's, and whose role follows the
role claim at every sign-in. An unknown pair:

- no portal account has the provider's e-mail address: a staff account is created and linked;
- a staff account that was never used (invited, no password set, never signed in) has it: that
  account is linked if the provider says the address is verified, else refused;
- a staff account in use has it: the person proves once that it is theirs with its password
  (and code); only then is it linked (:func:`link`);
- a submitter's account, a disabled account, or an account linked to another subject of the
  same provider has it: refused.

The e-mail address only finds a candidate: it never links an account by itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.auth import end_all_sessions, normalize_email
from portal.accounts.models import Role, SsoIdentity, User
from portal.accounts.operations import retire_invitations
from portal.audit.log import record
from portal.db import utcnow

#: Who changes an account when the provider's claims do.
SSO_ACTOR = "single sign-on"


@dataclass(frozen=True)
class Identity:
    """What the provider vouched for: the ID token's issuer and subject, and the claims of the
    ID token and userinfo."""

    issuer: str
    subject: str
    email: str
    email_verified: bool
    name: str
    role_values: tuple[str, ...]

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any], role_claim: str) -> Identity:
        email = claims.get("email")
        name = claims.get("name")
        return cls(
            issuer=str(claims["iss"]), subject=str(claims["sub"]),
            email=normalize_email(email)[:254] if isinstance(email, str) else "",
            email_verified=claims.get("email_verified") is True,
            name=name.strip()[:200] if isinstance(name, str) and name.strip() else "",
            role_values=claim_values(claims.get(role_claim)))

    @property
    def who(self) -> str:
        """The person in the audit log: the e-mail address, else the subject."""
        return self.email or self.subject[:254]


def claim_values(value: Any) -> tuple[str, ...]:
    """A role claim's values: a string is one value (a space-separated list stays one value),
    a list its strings; anything else none."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(item for item in value if isinstance(item, str))
    return ()


@dataclass(frozen=True)
class Grant:
    role: Role
    manager: bool = False


GRANTS = {"triage": Grant(Role.TRIAGE), "manager": Grant(Role.TRIAGE, manager=True),
          "trainer": Grant(Role.TRAINER), "admin": Grant(Role.ADMIN)}


def grant_for(values: Sequence[str], mapping: Sequence[tuple[str, str]]) -> Grant | None:
    """The role of the first mapping entry whose value the person has (None: no role)."""
    held = set(values)
    for value, target in mapping:
        if value in held:
            return GRANTS[target]
    return None


class Refusal(StrEnum):
    NO_ROLE = "no_role"
    NO_EMAIL = "no_email"
    NOT_STAFF = "not_staff"
    DISABLED = "disabled"
    LINKED_ELSEWHERE = "linked_elsewhere"
    UNVERIFIED_EMAIL = "unverified_email"


class Outcome(StrEnum):
    SIGNED_IN = "signed_in"
    CONFIRM = "confirm"  # the account is in use: its password must confirm the link
    REFUSED = "refused"


@dataclass(frozen=True)
class Resolution:
    outcome: Outcome
    user: User | None = None
    refusal: Refusal | None = None


def identity_of(db: Session, issuer: str, subject: str) -> SsoIdentity | None:
    return db.scalar(select(SsoIdentity).where(SsoIdentity.issuer == issuer,
                                               SsoIdentity.subject == subject))


def resolve(db: Session, identity: Identity, grant: Grant | None, ip: str) -> Resolution:
    """The account this identity signs in to (linked or created now), or why not. Refusals
    are audited here; the caller opens the session of a signed-in user."""
    if grant is None:
        return _refused(db, identity, Refusal.NO_ROLE, ip)
    linked = identity_of(db, identity.issuer, identity.subject)
    if linked is not None:
        user = linked.user
        if not user.active:
            return _refused(db, identity, Refusal.DISABLED, ip, user)
        linked.last_login_at = utcnow()
        _follow_provider(db, user, identity, grant, ip)
        return Resolution(Outcome.SIGNED_IN, user)
    if not identity.email:
        return _refused(db, identity, Refusal.NO_EMAIL, ip)
    found = db.scalar(select(User).where(User.email == identity.email))
    if found is None:
        user = User(email=identity.email, name=identity.name or identity.email,
                    role=grant.role.value, is_manager=grant.manager, authority_id=None)
        db.add(user)
        db.flush()
        record(db, "user.created", actor=SSO_ACTOR, ip=ip, object_type="user",
               object_id=user.public_id, details={"role": user.role, "by": "sso"})
        link(db, user, identity, grant, ip)
        return Resolution(Outcome.SIGNED_IN, user)
    user = found
    if user.role_enum is Role.SUBMITTER:
        return _refused(db, identity, Refusal.NOT_STAFF, ip, user)
    if not user.active:
        return _refused(db, identity, Refusal.DISABLED, ip, user)
    if db.scalar(select(SsoIdentity.id).where(SsoIdentity.user_id == user.id,
                                              SsoIdentity.issuer == identity.issuer)):
        return _refused(db, identity, Refusal.LINKED_ELSEWHERE, ip, user)
    if user.password_hash is None and user.last_login_at is None:
        if not identity.email_verified:
            return _refused(db, identity, Refusal.UNVERIFIED_EMAIL, ip, user)
        retire_invitations(db, user)  # the account is taken up through the provider instead
        link(db, user, identity, grant, ip)
        return Resolution(Outcome.SIGNED_IN, user)
    return Resolution(Outcome.CONFIRM, user)


def link(db: Session, user: User, identity: Identity, grant: Grant, ip: str) -> None:
    """Link the account to the identity (its password confirmed it, or it was never used)."""
    db.add(SsoIdentity(user_id=user.id, issuer=identity.issuer, subject=identity.subject,
                       last_login_at=utcnow()))
    record(db, "sso.linked", actor_id=user.id, actor=user.email, ip=ip, object_type="user",
           object_id=user.public_id, details={"issuer": identity.issuer,
                                              "subject": identity.subject})
    _follow_provider(db, user, identity, grant, ip)


def _follow_provider(db: Session, user: User, identity: Identity, grant: Grant, ip: str) -> None:
    """The role from the claim; the e-mail address and name from the provider (an address
    another account has stays unchanged, and is audited)."""
    if (user.role, user.is_manager) != (grant.role.value, grant.manager):
        before = {"role": user.role, "manager": user.is_manager}
        user.role, user.is_manager, user.authority_id = grant.role.value, grant.manager, None
        end_all_sessions(db, user)  # no session keeps the rights the provider took away
        record(db, "user.role_changed", actor_id=user.id, actor=SSO_ACTOR, ip=ip,
               object_type="user", object_id=user.public_id,
               details={"before": before, "after": {"role": user.role,
                                                    "manager": user.is_manager}, "by": "sso"})
    if identity.email and identity.email != user.email:
        taken = db.scalar(select(User.id).where(User.email == identity.email,
                                                User.id != user.id))
        record(db, "sso.email_kept" if taken else "user.email_changed", actor_id=user.id,
               actor=SSO_ACTOR, ip=ip, object_type="user", object_id=user.public_id,
               details={"before": user.email, "provider": identity.email, "by": "sso"})
        if not taken:
            user.email = identity.email
    if identity.name and identity.name != user.name:
        user.name = identity.name


def _refused(db: Session, identity: Identity, refusal: Refusal, ip: str,
             user: User | None = None) -> Resolution:
    refuse(db, identity.who, ip, refusal.value, issuer=identity.issuer,
           subject=identity.subject, user=user)
    return Resolution(Outcome.REFUSED, user, refusal)


def refuse(db: Session, who: str, ip: str, reason: str, *, issuer: str = "",
           subject: str = "", user: User | None = None) -> None:
    """Audit a refused single sign-on (also a failed exchange with the provider)."""
    details = {"reason": reason[:500]}
    if issuer:
        details |= {"issuer": issuer, "subject": subject}
    record(db, "sso.refused", actor_id=user.id if user else None, actor=who[:254], ip=ip,
           object_type="user" if user else "", object_id=user.public_id if user else "",
           details=details)
