"""second factors: security keys (WebAuthn), TOTP codes used once by a unique row, TOTP secrets
encrypted at rest

security_keys holds each account's registered keys and webauthn_challenges the single-use
challenges of their ceremonies; totp_used_steps replaces users.totp_last_step (one row per
account and used time step, unique); users.totp_secret becomes users.totp_secret_encrypted,
sealed under the attachment key ring (PORTAL_ATTACHMENT_KEYS, read from the settings as the app
does); users.security_keys counts the account's keys.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-21
"""

from __future__ import annotations

import base64
from typing import Any

import sqlalchemy as sa
from alembic import context, op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

#: portal.accounts.totp's binding of a sealed secret to its account (frozen here).
_LABEL = b"mla-portal totp v1\x00"


def _keyring() -> Any:
    """The key ring of the settings handed over by portal.migrate, else of the environment."""
    from portal.config import Settings
    from portal.crypto import KeyRing

    settings = context.config.attributes.get("settings") or Settings.from_env()
    return KeyRing.from_settings(settings)


def upgrade() -> None:
    op.create_table(
        "totp_used_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.BigInteger(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_totp_used_steps_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_totp_used_steps")),
        sa.UniqueConstraint("user_id", "step", name="uq_totp_used_steps_user_id_step"),
    )
    op.create_table(
        "security_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("credential_id", sa.LargeBinary(length=1023), nullable=False),
        sa.Column("public_key", sa.LargeBinary(length=2048), nullable=False),
        sa.Column("sign_count", sa.BigInteger(), nullable=False),
        sa.Column("transports", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_security_keys_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_keys")),
        sa.UniqueConstraint("public_id", name=op.f("uq_security_keys_public_id")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_security_keys_credential_id")),
    )
    op.create_index("ix_security_keys_user_id", "security_keys", ["user_id"])
    op.create_table(
        "webauthn_challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handle_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("challenge", sa.LargeBinary(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_webauthn_challenges_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webauthn_challenges")),
        sa.UniqueConstraint("handle_hash", name=op.f("uq_webauthn_challenges_handle_hash")),
    )
    op.create_index("ix_webauthn_challenges_expires_at", "webauthn_challenges", ["expires_at"])
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("totp_secret_encrypted", sa.String(length=255),
                                      nullable=True))
        batch_op.add_column(sa.Column("security_keys", sa.Integer(), nullable=False,
                                      server_default="0"))
    _seal_secrets()
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("totp_secret")
        batch_op.drop_column("totp_last_step")


def _seal_secrets() -> None:
    connection = op.get_bind()
    rows = list(connection.execute(sa.text(
        "SELECT id, public_id, totp_secret FROM users WHERE totp_secret IS NOT NULL")))
    if not rows:
        return
    keyring = _keyring()
    for user_id, public_id, secret in rows:
        sealed = keyring.seal(secret.encode("ascii"), label=_LABEL, ids=(public_id,))
        connection.execute(sa.text("UPDATE users SET totp_secret_encrypted = :sealed "
                                   "WHERE id = :id"),
                           {"sealed": base64.b64encode(sealed).decode("ascii"), "id": user_id})


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=False,
                                      server_default="0"))
    connection = op.get_bind()
    rows = list(connection.execute(sa.text(
        "SELECT id, public_id, totp_secret_encrypted FROM users "
        "WHERE totp_secret_encrypted IS NOT NULL")))
    keyring = _keyring() if rows else None
    for user_id, public_id, sealed in rows:
        secret = keyring.unseal(base64.b64decode(sealed), label=_LABEL, ids=(public_id,))
        connection.execute(sa.text("UPDATE users SET totp_secret = :secret WHERE id = :id"),
                           {"secret": secret.decode("ascii"), "id": user_id})
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("security_keys")
        batch_op.drop_column("totp_secret_encrypted")
    op.drop_index("ix_webauthn_challenges_expires_at", table_name="webauthn_challenges")
    op.drop_table("webauthn_challenges")
    op.drop_index("ix_security_keys_user_id", table_name="security_keys")
    op.drop_table("security_keys")
    op.drop_table("totp_used_steps")
