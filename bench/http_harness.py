"""What the HTTP benchmark and the reliability tests share: a fresh PostgreSQL database with
demo data and drafts, the portal served by a real gunicorn, and the load generator run in a
separate process (:mod:`bench.http_load`).

Nothing here is imported by the portal; the reliability tests (tests/reliability) import it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyotp
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from portal.db import Database

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "requests"
PASSWORD = "bench password for load runs 42"  # noqa: S105 - test accounts of a throwaway db
SECRET_KEY = "bench-secret-key-" + "k" * 40  # a throwaway database and server
#: The audit key of the throwaway databases: the seeding and the servers sign the log with it.
AUDIT_KEYS = "bench:" + base64.b64encode(b"bench audit key, throwaway dbs!!").decode()
#: The key ring of the portal under test (it seals the TOTP secrets that prepare() stores), a
#: fixed development key like the secret above.
ATTACHMENT_KEYS = "bench:" + "QmVuY2gga2V5IG9mIHRoZSBwb3J0YWwsIDMyIGJ5dGU="


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_postgres() -> str:
    """Start the project's PostgreSQL (scripts/ensure-postgres.sh); its admin URL."""
    subprocess.run(["bash", str(ROOT / "scripts" / "ensure-postgres.sh")], check=True,
                   stdout=subprocess.DEVNULL)
    out = subprocess.run(["bash", str(ROOT / "scripts" / "ensure-postgres.sh"), "--url"],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not found:
        raise RuntimeError("no PostgreSQL binaries (scripts/ensure-postgres.sh installs them)")
    return found[-1].parent


def _as_postgres(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    command = ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


@dataclass
class PrivateServer:
    """A PostgreSQL cluster of one test or benchmark run, on a port of its own."""

    data_dir: Path
    port: int
    bindir: Path
    database: str

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://portal:portal@127.0.0.1:{self.port}/{self.database}"

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://portal:portal@127.0.0.1:{self.port}/postgres"

    def ctl(self, *args: str) -> None:
        _as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-l",
                      str(self.data_dir / "server.log"), "-w", "-t", "60", *args])

    def stop(self) -> None:
        self.ctl("stop", "-m", "fast")

    def start(self) -> None:
        self.ctl("start")


#: The test clusters trade durability for speed; a durable one is configured as production
#: would be (every commit flushed to disk before it is acknowledged).
FAST_SETTINGS = "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
DURABLE_SETTINGS = "fsync = on\nsynchronous_commit = on\nfull_page_writes = on\n"


@contextlib.contextmanager
def private_postgres(database: str, *, durable: bool = False,
                     max_connections: int = 100) -> Iterator[PrivateServer]:
    """initdb, start and (at the end) remove a cluster with role ``portal`` owning
    ``database``."""
    bindir = _pg_bin()
    data_dir = Path(tempfile.mkdtemp(prefix="portal-pg-private-", dir="/tmp"))
    if os.geteuid() == 0:
        shutil.chown(data_dir, "postgres")
    data_dir.chmod(0o700)
    port = free_port()
    _as_postgres([str(bindir / "initdb"), "-D", str(data_dir), "-U", "postgres",
                  "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"])
    conf = (f"\nlisten_addresses = '127.0.0.1'\nport = {port}\n"
            f"unix_socket_directories = '{data_dir}'\n"
            + (DURABLE_SETTINGS if durable else FAST_SETTINGS)
            + f"max_connections = {max_connections}\n")
    _as_postgres(["bash", "-c", f"cat >> {data_dir}/postgresql.conf"], input=conf)
    server = PrivateServer(data_dir, port, bindir, database)
    server.start()
    try:
        admin = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres",
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE ROLE portal LOGIN PASSWORD 'portal' CREATEDB"))
            conn.execute(text(f'CREATE DATABASE "{database}" OWNER portal'))
        admin.dispose()
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.ctl("stop", "-m", "immediate")
        shutil.rmtree(data_dir, ignore_errors=True)


def fresh_database(base_url: str, name: str) -> str:
    """Drop and create database ``name`` on the server of ``base_url``; its URL."""
    drop_database(base_url, name)
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def drop_database(base_url: str, name: str, attempts: int = 10) -> None:
    """Drop ``name`` if it exists. An autovacuum worker still busy with a last run's tables
    cannot be terminated by the portal role (FORCE fails): wait for it a little."""
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        for attempt in range(attempts):
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                return
            except DBAPIError:
                if attempt == attempts - 1:
                    raise
                time.sleep(3)
    finally:
        admin.dispose()


@dataclass
class Credential:
    email: str
    password: str
    totp: str | None = None

    def as_spec(self) -> dict[str, Any]:
        return {"email": self.email, "password": self.password, "totp": self.totp}


@dataclass
class Dataset:
    submitters: list[Credential] = field(default_factory=list)
    #: the drafts of each submitter (same index), public ids
    drafts: list[list[str]] = field(default_factory=list)
    triage: list[Credential] = field(default_factory=list)
    #: submitted requests triage can open
    submitted: list[str] = field(default_factory=list)


def prepare(url: str, *, submitters: int = 50, drafts_each: int = 1, triage: int = 5,
            volume: int = 0, authorities: int = 10, submitted_limit: int | None = 200
            ) -> Dataset:
    """Migrate, load the demo accounts, then submitters with drafts made from
    examples/requests (``drafts.import_json``), OIA triage users with TOTP secrets, and
    ``volume`` submitted requests (portal.triage.demo_volume; the newest
    ``submitted_limit`` of them, or all, in ``Dataset.submitted``)."""
    from portal import migrate
    from portal.accounts.models import Role, User
    from portal.accounts.operations import Actor, create_authority, create_user
    from portal.accounts.passwords import make_hasher
    from portal.crypto import KeyRing
    from portal.demo import load_demo
    from portal.requests import drafts
    from portal.requests.models import MlaRequest, Status

    database = open_database(url)
    migrate.upgrade(database.engine)
    hasher = make_hasher(1, 1024, 1)  # the hash carries its parameters: logins stay cheap
    actor = Actor(None, "bench")
    examples = sorted(EXAMPLES.glob("*.json"))
    data = Dataset()
    with database.session() as db:
        keyring = KeyRing.parse(ATTACHMENT_KEYS)
        load_demo(db, hasher, keyring)
        authority_ids = [create_authority(db, actor, name=f"Bench authority {n}",
                                          country="ES").id for n in range(authorities)]
        for n in range(submitters):
            email = f"bench-submitter-{n}@example.org"
            user = create_user(db, hasher, actor, email=email, name=f"Bench Submitter {n}",
                               role=Role.SUBMITTER, password=PASSWORD,
                               authority_id=authority_ids[n % authorities])
            owned = []
            for k in range(drafts_each):
                source = examples[(n * drafts_each + k) % len(examples)]
                created, errors = drafts.import_json(db, user, source.read_bytes())
                assert created is not None, (source.name, errors)
                owned.append(created.public_id)
            data.submitters.append(Credential(email, PASSWORD))
            data.drafts.append(owned)
        for n in range(triage):
            secret = pyotp.random_base32()
            email = f"bench-triage-{n}@example.org"
            create_user(db, hasher, actor, email=email, name=f"Bench Triage {n}",
                        role=Role.TRIAGE, password=PASSWORD, totp_secret=secret,
                        keyring=keyring)
            data.triage.append(Credential(email, PASSWORD, secret))
        db.flush()
        assert db.scalar(select(User.id).where(User.email == data.submitters[0].email)) \
            if data.submitters else True
    if volume:
        from portal.triage import demo_volume

        with database.session() as db:
            demo_volume.generate(db, volume, seed=42)
        with database.session() as db:
            data.submitted = list(db.scalars(
                select(MlaRequest.public_id).where(MlaRequest.status != Status.DRAFT.value,
                                                   MlaRequest.training.is_(False))
                .order_by(MlaRequest.id.desc()).limit(submitted_limit)))
    database.dispose()
    return data


def open_database(url: str) -> Database:
    """The database at ``url``, its audit log signed with :data:`AUDIT_KEYS`."""
    from portal.audit import keys
    from portal.db import Database

    database = Database(url)
    keys.attach(database.engine, keys.AuditKeys.parse(AUDIT_KEYS))
    return database


def server_env(url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update({
        "PORTAL_ENV": "development",
        "PORTAL_DATABASE_URL": url,
        "PORTAL_DATA_DIR": str(data_dir),
        "PORTAL_SECRET_KEY": SECRET_KEY,
        "PORTAL_AUDIT_KEYS": AUDIT_KEYS,
        "PORTAL_LOGIN_RATE_LIMIT": "1000000",  # every virtual user signs in from 127.0.0.1
        "PORTAL_ATTACHMENT_KEYS": ATTACHMENT_KEYS,
        # the submitters of prepare() sign in with a password alone, as in a pilot
        "PORTAL_SUBMITTER_2FA_REQUIRED": "false",
        # and posts from it, each far faster than a person (the limits are measured apart)
        "PORTAL_RATE_LIMIT_ADDRESS_POSTS": "1000000",
        "PORTAL_RATE_LIMIT_ACCOUNT_POSTS": "1000000",
        "PYTHONPATH": str(ROOT),
    })
    env.update(extra)
    return env


class Gunicorn:
    """The portal under ``gunicorn 'portal.app:create_app()'`` on a loopback port.

    With ``production_config`` the settings are those of ./gunicorn.conf.py alone (the bind
    address, workers and threads given to it through its variables); otherwise options on
    the command line override it."""

    def __init__(self, env: dict[str, str], *, workers: int, worker_class: str = "gthread",
                 threads: int = 4, port: int | None = None, log: Path | None = None,
                 access_log: bool = False, production_config: bool = False) -> None:
        self.env = env
        self.production_config = production_config
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        self.port = port or free_port()
        self.log = log or Path(tempfile.mkstemp(prefix="portal-gunicorn-", suffix=".log")[1])
        self.access_log = access_log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        if self.production_config:
            return [sys.executable, "-m", "gunicorn", "--no-control-socket",
                    "portal.app:create_app()"]
        cmd = [sys.executable, "-m", "gunicorn", "--workers", str(self.workers),
               "--worker-class", self.worker_class, "--bind", f"127.0.0.1:{self.port}",
               "--timeout", "60", "--graceful-timeout", "5", "--backlog", "2048",
               "--no-control-socket"]
        # always stated: gunicorn.conf.py's threads would turn sync workers into gthread ones
        cmd += ["--threads", str(self.threads if self.worker_class == "gthread" else 1)]
        if self.access_log:
            cmd += ["--access-logfile", "-", "--access-logformat", "%(m)s %(U)s %(s)s %(M)s"]
        return [*cmd, "portal.app:create_app()"]

    def start(self, wait: float = 60.0) -> None:
        handle = self.log.open("ab")
        env = self.env
        if self.production_config:
            env = {**env, "PORTAL_BIND": f"127.0.0.1:{self.port}",
                   "PORTAL_WEB_WORKERS": str(self.workers), "PORTAL_WEB_THREADS": str(self.threads)}
        elif not self.access_log:
            env = {**env, "PORTAL_ACCESS_LOG": ""}  # no access log under load (the file's is on)
        self.process = subprocess.Popen(self.command(), env=env, cwd=ROOT, stdout=handle,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        handle.close()
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-3000:]}")
            if self.health() == 200 and len(self.worker_pids()) >= self.workers:
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer: {self.log.read_text()[-3000:]}")

    def health(self) -> int:
        try:
            with urllib.request.urlopen(f"{self.base}/healthz", timeout=5) as response:  # noqa: S310
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)
        except (OSError, ValueError):
            return 0

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def __enter__(self) -> Gunicorn:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def sign_in_all(port: int, credentials: list[Credential]) -> list[dict[str, str]]:
    """Sign every user in once (through the forms); their cookies, to reuse across runs."""
    import asyncio

    from bench.http_client import Browser

    async def one(credential: Credential, gate: asyncio.Semaphore) -> dict[str, str]:
        async with gate:
            browser = Browser("127.0.0.1", port)
            await browser.login(credential.email, credential.password, credential.totp)
            await browser.close()
            return dict(browser.cookies.values)

    async def every() -> list[dict[str, str]]:
        gate = asyncio.Semaphore(8)
        return list(await asyncio.gather(*(one(c, gate) for c in credentials)))

    return asyncio.run(every())


def run_load(spec: dict[str, Any], *, timeout: float | None = None) -> dict[str, Any]:
    """Run :mod:`bench.http_load` in its own process; its result."""
    with tempfile.TemporaryDirectory(prefix="portal-load-") as tmp:
        spec_path, out_path = Path(tmp) / "spec.json", Path(tmp) / "result.json"
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        limit = timeout or float(spec["duration"]) + float(spec.get("warmup", 2)) + 120
        subprocess.run([sys.executable, "-m", "bench.http_load", str(spec_path),
                        str(out_path)], check=True, cwd=ROOT, timeout=limit,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
        return dict(json.loads(out_path.read_text(encoding="utf-8")))


@contextlib.contextmanager
def start_load(spec: dict[str, Any]) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """Start the load generator in the background (for faults injected while it runs)."""
    with tempfile.TemporaryDirectory(prefix="portal-load-") as tmp:
        spec_path, out_path = Path(tmp) / "spec.json", Path(tmp) / "result.json"
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        process = subprocess.Popen([sys.executable, "-m", "bench.http_load", str(spec_path),
                                    str(out_path)], cwd=ROOT,
                                   env={**os.environ, "PYTHONPATH": str(ROOT)})
        try:
            yield process, out_path
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(5)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summarize(result: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per kind: requests/s over the measured window, p50/p95/p99 in ms, errors."""
    out: dict[str, dict[str, float]] = {}
    duration = float(result["duration"])
    for kind, samples in result["samples"].items():
        inside = [s for s in samples if s[0] >= 0 and s[0] + s[1] <= duration]
        latencies = [s[1] for s in inside]
        out[kind] = {
            "count": len(inside),
            "rps": len(inside) / duration,
            "p50": percentile(latencies, 0.50) * 1000,
            "p95": percentile(latencies, 0.95) * 1000,
            "p99": percentile(latencies, 0.99) * 1000,
            "errors": sum(1 for s in inside if s[2] >= 500 or s[2] == 0),
        }
    return out
