"""Code run in child processes by the crash and concurrency tests."""

from __future__ import annotations

import faulthandler
import os
import random
import signal

from portal.audit import keys
from portal.config import Settings
from portal.db import Database
from portal.packages import forwarder, payload
from tests.packages import helpers


def _open(database_url: str, settings: Settings) -> Database:
    """The database as the app opens it: its audit log signed with the settings' key."""
    database = Database(database_url)
    keys.attach(database.engine, keys.AuditKeys.from_settings(settings))
    return database


def submit_forever(database_url: str, settings: Settings, user_id: int, log_path: str,
                   seed: int, request_pdf: bytes | None = None) -> None:
    """Submissions in a loop (with attachments); after each commit returns, the reference is
    appended to ``log_path`` (fsynced): what the client saw as submitted. ``request_pdf``: the
    request.pdf of every package instead of the rendered one."""
    if request_pdf is not None:
        payload.render_request_pdf = lambda *_args, **_kwargs: request_pdf  # type: ignore[assignment]
    # where this child was when it was killed (SIGUSR1 first) or crashed: read by the test
    stacks = open(f"{log_path}.stack", "w", encoding="utf-8")  # noqa: SIM115 (lives until killed)
    faulthandler.enable(file=stacks)  # and where it crashed, if it did
    faulthandler.register(signal.SIGUSR1, file=stacks)
    database = _open(database_url, settings)
    rng = random.Random(seed)
    number = 0
    while True:
        number += 1
        files = [helpers.letter()] + [(f"doc {seed}-{number}-{i}.pdf", "evidence",
                                       helpers.pdf(f"{seed}-{number}-{i}",
                                                   pages=rng.randint(1, 3)))
                                      for i in range(rng.randint(0, 3))]
        public_id = helpers.draft_with_attachments(database, settings, user_id, files)
        reference = helpers.submit(database, settings, user_id, public_id)
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(f"{public_id} {reference}\n")
            log.flush()
            os.fsync(log.fileno())


def forward_until_idle(database_url: str, settings: Settings, owner: str) -> None:
    database = _open(database_url, settings)
    forwarder.run(database.engine, settings, until_idle=True, owner=owner)
    database.dispose()
