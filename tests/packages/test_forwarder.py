"""The forwarder in one process (SQLite and PostgreSQL): the drop folder, HTTP with retries,
backoff and a ceiling, permanent refusals, staff retry, leases, exclusive claims."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import bagit
import pytest
from flask import Flask
from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.packages import forwarder
from portal.packages.claims import claim, finish
from portal.packages.commands import forward_command
from portal.packages.models import Handoff, HandoffAttempt, HandoffState, Package
from portal.packages.repair import sweep
from portal.packages.status import NotRetryable, handoff_state, retry, sync_triage_handoff
from portal.packages.targets import target_for
from portal.packages.verify import verify_package
from portal.requests.models import MlaRequest
from tests.conftest import Accounts, login
from tests.packages.conftest import Env
from tests.packages.receiver import Receiver


@pytest.fixture(autouse=True)
def quick_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """A small fixed request.pdf (the hand-off does not look inside it)."""
    from tests.packages.helpers import pdf

    fixed = pdf("request")
    monkeypatch.setattr("portal.packages.payload.render_request_pdf", lambda *a, **k: fixed)


def short_waits(env: Env, **changes: object) -> Env:
    """``env`` with backoff, polling and timeout in fractions of a second."""
    defaults: dict[str, object] = {"forward_backoff_base_seconds": 0.01,
                                   "forward_backoff_cap_seconds": 0.05,
                                   "forward_poll_seconds": 0.05, "forward_timeout_seconds": 5.0,
                                   "forward_max_attempts": 6}
    return env.with_settings(**{**defaults, **changes})


def handoffs(env: Env) -> list[Handoff]:
    with env.database.session() as db:
        return list(db.scalars(select(Handoff).order_by(Handoff.id)))


def attempts(env: Env, handoff_id: int) -> list[HandoffAttempt]:
    with env.database.session() as db:
        return list(db.scalars(select(HandoffAttempt).where(HandoffAttempt.handoff_id ==
                                                            handoff_id)
                               .order_by(HandoffAttempt.number)))


def keys(env: Env) -> set[str]:
    with env.database.session() as db:
        return {f"{p.public_id}/v{p.version}" for p in db.scalars(select(Package))}


def test_drop_folder_via_the_cli(env: Env) -> None:
    references = [env.submitted()[1] for _ in range(2)]
    runner = env.app.test_cli_runner()
    result = runner.invoke(forward_command, ["--once"])
    assert result.exit_code == 0, result.output
    assert "2 sent" in result.output
    dropbox = env.settings.dropbox_path
    for reference in references:
        assert (dropbox / f"{reference}-v1.done").is_file()
        copy = dropbox / f"{reference}-v1"
        bagit.Bag(str(copy)).validate()
        assert verify_package(copy) == []
    assert not [p for p in dropbox.iterdir() if p.name.startswith(".tmp")]
    for handoff in handoffs(env):
        assert handoff.state == HandoffState.SENT.value and handoff.sent_at is not None
        [attempt] = attempts(env, handoff.id)
        assert attempt.outcome == "sent" and attempt.finished_at is not None
        assert attempt.target == f"folder {dropbox}"
    result = runner.invoke(forward_command, ["--once"])
    assert "0 sent" in result.output


def test_drop_folder_completes_a_hand_off_interrupted_after_the_rename(env: Env) -> None:
    _public_id, reference = env.submitted()
    dropbox = env.settings.dropbox_path
    dropbox.mkdir(parents=True)
    import shutil

    # the forwarder died after renaming the copy into place, before the marker
    shutil.copytree(env.settings.packages_path / f"{reference}-v1", dropbox / f"{reference}-v1")
    # and an earlier attempt left half a copy
    half = dropbox / f".tmp-{reference}-v1.abcdef"
    (half / "data").mkdir(parents=True)
    summary = forwarder.run(env.database.engine, env.settings, once=True)
    assert summary.sent == 1
    assert (dropbox / f"{reference}-v1.done").is_file()
    assert half.exists()  # too recent to sweep
    assert sweep(env.settings, 0) == [half]
    # a different (damaged) copy under the name is replaced
    (dropbox / f"{reference}-v1.done").unlink()
    (dropbox / f"{reference}-v1" / "tagmanifest-sha256.txt").write_text("broken")
    with env.database.session() as db:
        db.execute(Handoff.__table__.update().values(state="queued"))
    assert forwarder.run(env.database.engine, env.settings, once=True).sent == 1
    assert verify_package(dropbox / f"{reference}-v1") == []


def test_http_retries_with_backoff_until_accepted(env: Env) -> None:
    env.submitted()
    with Receiver(lambda n, _key, _nth: "fail" if n <= 2 else "ok") as receiver:
        settings = short_waits(env, forward_url=receiver.url).settings
        started = time.monotonic()
        summary = forwarder.run(env.database.engine, settings, until_idle=True)
        assert time.monotonic() - started < 10
    assert summary.sent == 1 and receiver.bad == []
    assert receiver.accepted == dict.fromkeys(keys(env), 1)
    [handoff] = handoffs(env)
    assert handoff.state == HandoffState.SENT.value and handoff.attempts == 3
    history = attempts(env, handoff.id)
    assert [a.outcome for a in history] == ["error", "error", "sent"]
    assert "HTTP 503" in history[0].error
    assert history[0].target == receiver.url  # never credentials
    assert history[1].started_at >= history[0].finished_at  # type: ignore[operator]


def test_http_gives_up_after_the_ceiling_and_staff_retry(env: Env, accounts: Accounts) -> None:
    public_id, _reference = env.submitted()
    healthy = threading.Event()
    with Receiver(lambda *_: "ok" if healthy.is_set() else "fail") as receiver:
        settings = short_waits(env, forward_url=receiver.url, forward_max_attempts=3).settings
        summary = forwarder.run(env.database.engine, settings, until_idle=True)
        assert summary.failed == 1 and summary.sent == 0
        [handoff] = handoffs(env)
        assert handoff.state == HandoffState.FAILED.value and handoff.attempts == 3
        assert "HTTP 503" in handoff.last_error
        triage = accounts.create(Role.TRIAGE)
        with env.database.session() as db:
            request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
            assert request is not None
            [status] = handoff_state(db, request)
            assert status.state == "failed" and status.can_retry
            assert [a.outcome for a in status.history] == ["error", "error", "failed"]
            submitter = db.get(User, env.user_id)
            assert submitter is not None
            with pytest.raises(PermissionError):
                retry(db, submitter, status.package_id)
        # OIA staff retry through the page
        client = env.app.test_client()
        login(client, triage)
        page = client.get(f"/triage/{public_id}")
        assert f'action="/triage/packages/{status.package_id}/retry"' in page.text
        assert "Retry the hand-off" in page.text
        import re

        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        assert token is not None
        response = client.post(f"/triage/packages/{status.package_id}/retry",
                               data={"csrf_token": token.group(1)})
        assert response.status_code == 303
        with env.database.session() as db:
            user = db.get(User, triage.id)
            assert user is not None
            with pytest.raises(NotRetryable):
                retry(db, user, status.package_id)  # queued now, not failed
        healthy.set()
        summary = forwarder.run(env.database.engine, settings, until_idle=True)
    assert summary.sent == 1
    assert receiver.accepted == dict.fromkeys(keys(env), 1)
    [handoff] = handoffs(env)
    assert handoff.state == HandoffState.SENT.value
    assert [a.outcome for a in attempts(env, handoff.id)] == ["error", "error", "failed", "sent"]


def test_a_permanent_refusal_fails_at_once(env: Env) -> None:
    env.submitted()
    with Receiver(lambda *_: "refuse") as receiver:
        settings = short_waits(env, forward_url=receiver.url).settings
        summary = forwarder.run(env.database.engine, settings, until_idle=True)
    assert summary.failed == 1
    [handoff] = handoffs(env)
    assert handoff.state == HandoffState.FAILED.value and handoff.attempts == 1
    assert "HTTP 403" in handoff.last_error


def test_an_expired_claim_is_taken_over_and_the_late_finish_is_ignored(env: Env) -> None:
    env.submitted()
    settings = env.with_settings(forward_lease_seconds=1).settings
    engine = env.database.engine
    [first] = claim(engine, settings, "forwarder-a", "folder x")
    assert claim(engine, settings, "forwarder-b", "folder x") == []
    time.sleep(1.2)
    [second] = claim(engine, settings, "forwarder-b", "folder x")
    assert second.handoff_id == first.handoff_id and second.attempt == 2
    assert finish(engine, settings, first, "forwarder-a", None) == "lost"
    target = target_for(settings)
    assert forwarder.deliver_one(engine, settings, target, second, "forwarder-b") == "sent"
    outcomes = [a.outcome for a in attempts(env, first.handoff_id)]
    assert outcomes[1] == "sent"
    # forwarder-a's attempt was marked interrupted at the takeover, then finished late
    assert outcomes[0] in ("interrupted", "sent")


def test_concurrent_claims_never_share_a_hand_off(env: Env) -> None:
    for _ in range(8):
        env.submitted()
    engine = env.database.engine
    claimed: list[int] = []
    lock = threading.Lock()

    def work(owner: str) -> None:
        while True:
            got = claim(engine, env.settings, owner, "test")
            if not got:
                return
            with lock:
                claimed.extend(c.handoff_id for c in got)

    threads = [threading.Thread(target=work, args=(f"t{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(claimed) == sorted(h.id for h in handoffs(env))


def test_triage_sees_the_state_in_the_queue_entry(app: Flask, env: Env) -> None:
    from portal.triage.models import TriageEntry

    public_id, _reference = env.submitted()
    with env.database.session() as db:
        request = db.scalar(select(MlaRequest).where(MlaRequest.public_id == public_id))
        assert request is not None
        if db.get(TriageEntry, request.id) is None:  # until the submission creates it
            from portal.triage import intake

            intake.rebuild_missing(db)
        entry = db.get(TriageEntry, request.id)
        assert entry is not None
        if entry.handoff == "":  # the entry was created after the package
            sync_triage_handoff(db, request.id)
            db.flush()
            db.refresh(entry)
        assert entry.handoff == "queued"
    forwarder.run(env.database.engine, env.settings, once=True)
    with env.database.session() as db:
        entry = db.get(TriageEntry, request.id)
        assert entry is not None and entry.handoff == "sent"


def test_settings_are_validated(tmp_path: Path) -> None:
    from portal.config import ConfigError, Settings

    env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_SECRET_KEY": "x" * 40,
           "PORTAL_FORWARD_URL": "ftp://nope", "PORTAL_FORWARD_BACKOFF_BASE_SECONDS": "0.5",
           "PORTAL_FORWARD_DIR": str(tmp_path / "out")}
    settings = Settings.from_env(env)
    assert settings.dropbox_path == tmp_path / "out"
    assert settings.packages_path == tmp_path / "packages"
    assert settings.forward_backoff_base_seconds == 0.5
    with pytest.raises(ConfigError, match="PORTAL_FORWARD_URL"):
        settings.validate()
