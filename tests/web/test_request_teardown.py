"""Closing the request's database session after the answer is made must not fail the answer:
a connection that died during the request (a database restart) is invalidated and logged."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session


def test_a_failing_close_keeps_the_answer_and_drops_the_connection(
        app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    closed: list[Session] = []
    real_close = Session.close

    def dead_close(self: Session) -> None:
        closed.append(self)
        real_close(self)
        raise OperationalError("ROLLBACK", {}, Exception("server closed the connection"))

    invalidated: list[object] = []
    real_invalidate = Connection.invalidate

    def spy_invalidate(self: Connection, exception: BaseException | None = None) -> None:
        invalidated.append(self)
        real_invalidate(self, exception)

    monkeypatch.setattr(Session, "close", dead_close)
    monkeypatch.setattr(Connection, "invalidate", spy_invalidate)
    with caplog.at_level(logging.WARNING, logger="portal.web.context"):
        response = client.get("/healthz")
    monkeypatch.undo()
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert closed and len(invalidated) == 1
    assert "closing the request's session failed" in caplog.text
    assert client.get("/healthz").status_code == 200  # the next request gets a new connection
