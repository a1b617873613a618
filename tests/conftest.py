"""Shared fixtures: settings, a migrated database per test (SQLite or PostgreSQL), the app,
clients, and account factories per role.

The database is SQLite unless ``PORTAL_TEST_DATABASE_URL`` names a PostgreSQL server (``make
test`` runs the suite on both). SQLite: the migrated schema is built once per worker and copied
for each test. PostgreSQL: one database per xdist worker, migrated once, emptied after each test.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portal import cache, migrate
from portal.accounts import totp
from portal.accounts.models import Authority, Role
from portal.accounts.operations import Actor, create_authority, create_user
from portal.accounts.passwords import make_hasher
from portal.app import create_app
from portal.config import Settings
from portal.crypto import KeyRing
from portal.db import Base, Database
from portal.jobs import worker
from tests.authenticator import Authenticator

PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
NODB_DIRS = ("rules", "contract", "reference", "i18n", "pdf")
TEST_PASSWORD = "correct horse battery staple 42"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).parts
        if any(part in NODB_DIRS for part in parts[-3:-1]):
            item.add_marker(pytest.mark.nodb)
        # Browser tests run on one database pass (what they check is the pages; the services
        # under them have their own tests on both), but for the journeys marked every_database.
        if item.get_closest_marker("browser") and not item.get_closest_marker("every_database"):
            item.add_marker(pytest.mark.once)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "nodb: does not touch the database")
    config.addinivalue_line("markers", "once: runs on the SQLite pass only (make test-postgres "
                                       "leaves it out)")
    config.addinivalue_line("markers", "every_database: a browser journey run on both passes")


@pytest.fixture(autouse=True)
def _empty_caches() -> Iterator[None]:
    """Every test starts with the portal's caches empty (portal.cache)."""
    cache.clear_all()
    yield


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database: a SQLite file to copy, or a PostgreSQL database to empty (named
    after the worker and the process, so that two test runs at once never share one; dropped
    at the end)."""
    if not PG_URL:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'template.db'}"
        db = Database(url)
        migrate.upgrade(db.engine)
        db.dispose()
        yield url
        return
    from bench.http_harness import drop_database

    base = make_url(PG_URL)
    base_url = base.render_as_string(hide_password=False)
    name = f"portal_test_{re.sub(r'[^a-z0-9]', '', _worker())}_{os.getpid()}"
    _drop_stale_databases(base_url)
    drop_database(base_url, name)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = base.set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    migrate.upgrade(db.engine)
    db.dispose()
    try:
        yield url
    finally:
        drop_database(base_url, name)  # waits for an autovacuum worker


def _drop_stale_databases(base_url: str) -> None:
    """Databases of earlier runs whose process is gone (killed before its teardown)."""
    from bench.http_harness import drop_database

    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        names = list(conn.scalars(text(
            "SELECT datname FROM pg_database WHERE datname LIKE 'portal\\_test\\_%'")))
    admin.dispose()
    for stale in names:
        match = re.fullmatch(r"portal_test_[a-z0-9]+_(\d+)", stale)
        if match is None or _alive(int(match[1])):
            continue
        with contextlib.suppress(Exception):  # another run may be dropping it too
            drop_database(base_url, stale, attempts=1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.fixture()
def database_url(database_template: str, tmp_path: Path) -> Iterator[str]:
    if database_template.startswith("sqlite"):
        source = Path(database_template.removeprefix("sqlite:///"))
        target = tmp_path / "portal.db"
        shutil.copyfile(source, target)
        yield f"sqlite:///{target}"
        return
    yield database_template
    engine = create_engine(database_template)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture()
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        env="testing",
        data_dir=tmp_path,
        database_url=database_url,
        secret_key="test-secret-key-" + "x" * 40,
        base_url="http://localhost",
        # The accounts of most tests have no second factor (submitters); the tests of the rule
        # itself turn it back on (tests/web/test_second_factor_required.py).
        submitter_2fa_required=False,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        argon2_parallelism=1,
    )


@pytest.fixture()
def app(settings: Settings) -> Iterator[Flask]:
    application = create_app(settings)
    application.config["TESTING"] = True
    yield application
    application.extensions["portal.db"].dispose()


@pytest.fixture()
def csrf_off_app(app: Flask) -> Flask:
    """The same app with CSRF checks off, for tests of behaviour behind the form."""
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass
class Account:
    id: int
    public_id: str
    email: str
    password: str
    role: Role
    totp_secret: str | None
    authority_id: int | None


class Accounts:
    """Creates authorities and users directly in the database."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.db: Database = app.extensions["portal.db"]
        self.hasher = make_hasher(1, 1024, 1)
        self._count = 0
        self._authorities: dict[str, int] = {}
        self.keyring = KeyRing.from_settings(app.extensions["portal.settings"])

    def authority(self, country: str = "ES", name: str | None = None) -> int:
        key = f"{country}:{name}"
        if key not in self._authorities:
            with self.db.session() as s:
                created = create_authority(s, Actor(None, "test"),
                                           name=name or f"Authority {country}", country=country)
                self._authorities[key] = created.id
        return self._authorities[key]

    def create(self, role: Role = Role.SUBMITTER, *, totp_enabled: bool | None = None,
               country: str = "ES", manager: bool = False, locale: str = "en") -> Account:
        self._count += 1
        enabled = role is not Role.SUBMITTER if totp_enabled is None else totp_enabled
        secret = totp.new_secret() if enabled else None
        authority_id = self.authority(country) if role is Role.SUBMITTER else None
        email = f"{role.value}{self._count}@example.org"
        with self.db.session() as s:
            user = create_user(s, self.hasher, Actor(None, "test"), email=email,
                               name=f"Test {role.value.title()} {self._count}", role=role,
                               password=TEST_PASSWORD, authority_id=authority_id,
                               is_manager=manager, totp_secret=secret, keyring=self.keyring,
                               locale=locale)
            return Account(user.id, user.public_id, email, TEST_PASSWORD, role, secret,
                           authority_id)

    def authority_row(self, authority_id: int) -> Authority | None:
        with self.db.session() as s:
            return s.get(Authority, authority_id)


@pytest.fixture()
def accounts(app: Flask) -> Accounts:
    return Accounts(app)


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    response = client.get(path)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.text) or \
        re.search(r'name="csrf_token" value="([^"]+)"', response.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, account: Account, *, code: str | None = None,
          key: Authenticator | None = None) -> None:
    """Sign in through the real forms (password, then the second factor when enrolled: the
    code, or the security key ``key`` through the page script's JSON endpoints)."""
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": account.email, "password": account.password,
                                           "csrf_token": token})
    assert response.status_code == 302, response.text[:500]
    if key is not None:
        assert response.headers["Location"].endswith("/login/code")
        token = csrf_token(client, "/login/code")
        options = client.post("/login/key/options", json={}, headers={"X-CSRFToken": token})
        assert options.status_code == 200, options.text[:500]
        answer = client.post("/login/key", json={"credential": key.get(options.get_json())},
                             headers={"X-CSRFToken": token})
        assert answer.status_code == 200 and "redirect" in answer.get_json(), answer.text[:500]
    elif account.totp_secret:
        assert response.headers["Location"].endswith("/login/code")
        token = csrf_token(client, "/login/code")
        response = client.post("/login/code", data={
            "code": code or totp.current_code(account.totp_secret), "csrf_token": token})
        assert response.status_code == 302, response.text[:500]


@pytest.fixture()
def login_as(client: FlaskClient, accounts: Accounts):  # type: ignore[no-untyped-def]
    def _login(role: Role, **kwargs: object) -> Account:
        account = accounts.create(role, **kwargs)  # type: ignore[arg-type]
        login(client, account)
        return account

    return _login


def run_jobs(app: Flask) -> worker.Summary:
    """What a background worker (``portal worker``) does next: run every job due now."""
    return worker.drain(app.extensions["portal.db"].engine, app.extensions["portal.settings"])
