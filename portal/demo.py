"""Demo authorities and accounts (one per role), with fixed and public passwords and
second-factor secrets so that a fresh clone can be tried at once; refused in production (by
``Settings.validate`` and by the ``demo`` command)."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import Authority, Role, User
from portal.accounts.operations import Actor, create_authority, create_user
from portal.crypto import KeyRing

DEMO_ACTOR = Actor(None, "demo-loader")


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role
    password: str
    totp_secret: str | None
    authority: str | None = None
    manager: bool = False
    locale: str = "en"


DEMO_AUTHORITIES = (
    ("Fiscalía Especial contra la Corrupción y la Criminalidad Organizada", "ES"),
    ("Parquet national financier", "FR"),
    ("النيابة العامة – مكتب التعاون الدولي", "EG"),
)

DEMO_ACCOUNTS = (
    DemoAccount("fiscal@demo.example.org", "Lucía Fernández Ortega", Role.SUBMITTER,
                "demo-fiscal-madrid-2026", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
                authority="ES", locale="es"),
    DemoAccount("colega@demo.example.org", "Javier Moreno Ruiz", Role.SUBMITTER,
                "demo-colega-madrid-2026", None, authority="ES", locale="es"),
    DemoAccount("procureur@demo.example.org", "Claire Dubois", Role.SUBMITTER,
                "demo-procureur-paris-2026", None, authority="FR", locale="en"),
    DemoAccount("niyaba@demo.example.org", "ليلى حسن", Role.SUBMITTER,
                "demo-niyaba-cairo-2026", None, authority="EG", locale="ar"),
    DemoAccount("triage@demo.example.org", "Dana Whitfield", Role.TRIAGE,
                "demo-triage-oia-2026", "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"),
    DemoAccount("manager@demo.example.org", "Marcus Bell", Role.TRIAGE,
                "demo-manager-oia-2026", "MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK", manager=True),
    DemoAccount("trainer@demo.example.org", "Priya Raman", Role.TRAINER,
                "demo-trainer-oia-2026", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
    DemoAccount("admin@demo.example.org", "Alex Morgan", Role.ADMIN,
                "demo-admin-oia-2026", "ONSWG4TFORXW4ZDBONSWG4TFORXW4ZDB"),
)


def load_demo(db: Session, hasher: PasswordHasher, keyring: KeyRing) -> bool:
    """Create the demo authorities and accounts (their TOTP secrets sealed under ``keyring``);
    False when they were already there."""
    if db.scalar(select(User.id).where(User.email == DEMO_ACCOUNTS[0].email)) is not None:
        return False
    authorities: dict[str, Authority] = {}
    for name, country in DEMO_AUTHORITIES:
        authorities[country] = create_authority(db, DEMO_ACTOR, name=name, country=country)
    for account in DEMO_ACCOUNTS:
        authority = authorities[account.authority] if account.authority else None
        create_user(db, hasher, DEMO_ACTOR, email=account.email, name=account.name,
                    role=account.role, password=account.password,
                    authority_id=authority.id if authority else None,
                    is_manager=account.manager, totp_secret=account.totp_secret,
                    keyring=keyring,
                    locale=account.locale)
    return True
