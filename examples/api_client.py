"""A complete client of the portal's API (docs/API.md), with httpx: check a request, create a
draft, attach its letter, wait for the check, submit it once (Idempotency-Key), then follow it;
and a receiver of the portal's webhooks that verifies their signatures by hand.

    PORTAL_API=http://127.0.0.1:5000/api/v1 PORTAL_TOKEN=mlap_... python examples/api_client.py
    PORTAL_WEBHOOK_SECRET=whsec_... python examples/api_client.py --receive 8081

Only the standard library and httpx (``pip install httpx``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
TOLERANCE_SECONDS = 5 * 60


def client(api: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=api.rstrip("/"), timeout=30,
                        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"})


def problem(response: httpx.Response) -> str:
    """An error's RFC 9457 problem in one line: test its ``type``, show its ``detail``."""
    body = response.json()
    fields = "; ".join(f"{e['path']}: {e['detail']}" for e in body.get("errors", []))
    return f"{response.status_code} {body['type']}: {body['detail']} {fields}".strip()


def submit_request(api: str, token: str, document: Path, letter: Path) -> dict[str, Any]:
    """Check, create, attach, wait, submit; the submission's answer (reference, version)."""
    with client(api, token) as http:
        content = document.read_bytes()
        checked = http.post("/check", content=content,
                            headers={"Content-Type": "application/json"})
        checked.raise_for_status()
        print("check:", checked.json()["counts"])

        created = http.post("/drafts", content=content,
                            headers={"Content-Type": "application/json"})
        if created.status_code != 201:
            raise SystemExit(problem(created))
        draft = created.json()
        print("draft:", draft["id"], "revision", draft["revision"])

        uploaded = http.post(f"/drafts/{draft['id']}/attachments",
                             data={"document_kind": "request_letter", "language": "en"},
                             files={"file": (letter.name, letter.read_bytes(),
                                             "application/pdf")})
        if uploaded.status_code not in (201, 202):
            raise SystemExit(problem(uploaded))
        attachment = uploaded.json()
        deadline = time.monotonic() + 120
        while attachment["status"] == "checking" and time.monotonic() < deadline:
            time.sleep(float(uploaded.headers.get("Retry-After", "2")))
            attachment = http.get(f"/drafts/{draft['id']}/attachments/"
                                  f"{attachment['id']}").json()
        print("document:", attachment["status"], attachment.get("reason") or "")
        if attachment["status"] != "accepted":
            raise SystemExit("the letter was not accepted")

        findings = http.get(f"/drafts/{draft['id']}/findings").json()
        # a warning is submitted with an explanation of yours; a blocker must be fixed first
        explanations = [{"finding": f["key"], "justification": "Explained in the letter."}
                        for f in findings["findings"] if f["severity"] == "warning"]
        key = str(uuid.uuid4())  # one key per submission: a repeat returns the first answer
        for _attempt in range(3):
            submitted = http.post(f"/drafts/{draft['id']}/submit",
                                  json={"acknowledgements": explanations},
                                  headers={"Idempotency-Key": key})
            if submitted.status_code == 409 and "in-use" in submitted.json()["type"]:
                time.sleep(float(submitted.headers.get("Retry-After", "1")))
                continue  # the first call is still running: ask again, with the same key
            break
        if submitted.status_code != 201:
            raise SystemExit(problem(submitted))
        answer: dict[str, Any] = submitted.json()
        print("submitted:", answer["reference"], "version", answer["version"],
              "(replayed)" if submitted.headers.get("Idempotent-Replayed") else "")
        return answer


def follow(api: str, token: str, reference: str) -> dict[str, Any]:
    """The request's status and timeline, as OIA moves it."""
    with client(api, token) as http:
        found = http.get(f"/requests/{reference}")
        found.raise_for_status()
        request: dict[str, Any] = found.json()
        print("status:", request["status"])
        for event in request["timeline"]:
            print(" ", event["at"], event["label"])
        return request


def verify_webhook(secret: str, headers: dict[str, str], body: bytes,
                   now: float | None = None) -> dict[str, Any]:
    """The event of a webhook whose signature holds (Standard Webhooks: HMAC-SHA256 over
    ``id.timestamp.body`` with the secret's bytes), else ValueError."""
    lower = {k.lower(): v for k, v in headers.items()}
    event_id, stamp = lower["webhook-id"], lower["webhook-timestamp"]
    if abs((now or time.time()) - int(stamp)) > TOLERANCE_SECONDS:
        raise ValueError("too old or too new: a replay?")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(key, f"{event_id}.{stamp}.".encode() + body,
                                         hashlib.sha256).digest()).decode()
    for signature in lower["webhook-signature"].split():
        version, _, value = signature.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            event: dict[str, Any] = json.loads(body)
            return event
    raise ValueError("no valid signature")


def receive(port: int, secret: str) -> None:
    """Serve webhooks on ``port`` (behind your HTTPS proxy); answer 2xx once it is stored."""
    seen: set[str] = set()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                event = verify_webhook(secret, dict(self.headers), body)
            except (KeyError, ValueError) as refused:
                self.send_response(400)
                self.end_headers()
                print("refused:", refused)
                return
            event_id = self.headers["webhook-id"]
            if event_id not in seen:  # the same id may come again: handle it once
                seen.add(event_id)
                print(event["type"], event["data"]["reference"], event["data"]["status"])
            self.send_response(204)
            self.end_headers()

    HTTPServer(("127.0.0.1", port), Receiver).serve_forever()


def main(argv: list[str]) -> int:
    if argv[:1] == ["--receive"]:
        receive(int(argv[1]), os.environ["PORTAL_WEBHOOK_SECRET"])
        return 0
    api = os.environ.get("PORTAL_API", "http://127.0.0.1:5000/api/v1")
    token = os.environ["PORTAL_TOKEN"]
    answer = submit_request(api, token, HERE / "requests" / "01-subscriber-info-good-es.json",
                            HERE / "documents" / "letter-of-request.pdf")
    follow(api, token, answer["reference"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
