"""The test OpenID provider (tests/oidc/provider.mjs, a real oidc-provider) as a process on
loopback, the portal served over HTTP beside it, and a person's user agent (requests) that
goes through the authorization flow and can stop or tamper with it at each step."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import selectors
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import requests
from flask import Flask
from werkzeug.serving import make_server

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MODULES = ROOT / "build" / "oidc-provider" / "node_modules"
USERS = HERE / "users.json"
#: The provider's clients (tests/oidc/provider.mjs) and their secrets.
SECRETS = {"portal": "portal-test-secret", "portal-slow": "portal-slow-test-secret",
           "other-app": "other-app-test-secret"}
#: The role mapping of the tests: the managers' group first (a manager is in both groups).
ROLE_MAPPING = ("mla-triage-managers=manager; mla-admins=admin; mla-triage=triage; "
                "mla-trainers=trainer")
PASSWORDS = {name: user["password"] for name, user in
             json.loads(USERS.read_text(encoding="utf-8")).items()}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_installed() -> None:
    """scripts/ensure-oidc-provider.sh (what make test runs), once at a time across workers."""
    lock_path = ROOT / "build" / ".oidc-provider.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(["bash", str(ROOT / "scripts" / "ensure-oidc-provider.sh")], check=True,
                       capture_output=True, timeout=300)


@dataclass
class Provider:
    issuer: str
    users_file: Path
    process: subprocess.Popen[str]

    def set_user(self, username: str, **fields: Any) -> None:
        """Change a user at the provider (read again at their next sign-in)."""
        users = json.loads(self.users_file.read_text(encoding="utf-8"))
        users[username].update(fields)
        self.users_file.write_text(json.dumps(users), encoding="utf-8")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_provider(portal_url: str, workdir: Path) -> Provider:
    """Start the provider on a free loopback port; returns once it listens."""
    ensure_installed()
    users_file = workdir / "users.json"
    users_file.write_text(USERS.read_text(encoding="utf-8"), encoding="utf-8")
    port = free_port()
    env = {**os.environ, "OIDC_PORT": str(port), "OIDC_PORTAL_URL": portal_url,
           "OIDC_USERS": str(users_file), "OIDC_MODULES": str(MODULES)}
    log = (workdir / "provider.log").open("w")
    process = subprocess.Popen(["node", str(HERE / "provider.mjs")], env=env, text=True,
                               stdout=subprocess.PIPE, stderr=log)
    log.close()
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if selector.select(timeout=0.5):
            line = process.stdout.readline()
            if line.startswith("listening "):
                return Provider(line.split()[1], users_file, process)
        if process.poll() is not None:
            break
    process.kill()
    raise AssertionError("the test OpenID provider did not start: "
                         + (workdir / "provider.log").read_text(encoding="utf-8")[-2000:])


@dataclass
class PortalServer:
    """One HTTP server for a test module; each test's app is plugged in (the provider knows
    the portal's redirect URIs by its address, which so stays the same)."""

    url: str
    target: list[Flask] = field(default_factory=list)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return self.target[-1](environ, start_response)


@contextmanager
def serve_portal() -> Iterator[PortalServer]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = free_port()
    portal = PortalServer(f"http://127.0.0.1:{port}")
    server = make_server("127.0.0.1", port, portal, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="sso-portal", daemon=True)
    thread.start()
    try:
        yield portal
    finally:
        server.shutdown()
        thread.join(timeout=10)


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def with_query(url: str, **changes: str) -> str:
    """The URL with some query parameters replaced."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=urlencode({**query(url), **changes})))


class Agent:
    """A person's user agent: one cookie jar for the portal and the provider; redirects are
    followed by hand so that a test can stop at any step."""

    def __init__(self, portal: str, issuer: str) -> None:
        self.portal = portal
        self.issuer = issuer
        self.http = requests.Session()

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.http.get(urljoin(self.portal, url), allow_redirects=False, timeout=30,
                             **kwargs)

    def post_form(self, path: str, data: dict[str, str]) -> requests.Response:
        """A portal form posted with the CSRF token of the page it is on."""
        page = self.get(path)
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.text)
        assert token, f"no CSRF token on {path}"
        return self.http.post(urljoin(self.portal, path), allow_redirects=False, timeout=30,
                              data={**data, "csrf_token": token[1]})

    def start(self, path: str = "/login/sso") -> str:
        """The portal's redirect to the provider's authorization endpoint."""
        response = self.get(path)
        assert response.status_code == 302, response.text[:500]
        location = response.headers["Location"]
        assert location.startswith(self.issuer), location
        return location

    def at_provider(self, url: str, username: str | None = None) -> requests.Response:
        """Go to a provider URL and through its pages (the login form when it shows one)
        until the provider sends the browser elsewhere; returns that redirect (or the
        provider's page that ended the journey)."""
        response = self.http.get(url, allow_redirects=False, timeout=30)
        for _ in range(10):
            if response.status_code in (302, 303):
                location = urljoin(response.url, response.headers["Location"])
                if not location.startswith(self.issuer):
                    return response
                response = self.http.get(location, allow_redirects=False, timeout=30)
                continue
            auto = re.search(r'<form method="post" action="([^"]+)"', response.text)
            if auto and "document.forms[0].submit()" in response.text:
                # the provider's self-submitting form (a browser runs its script): e.g. it
                # ends the session of the person signed in before another signs in
                fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                                         response.text))
                response = self.http.post(urljoin(response.url, auto[1]), data=fields,
                                          allow_redirects=False, timeout=30)
                continue
            form = re.search(r'<form method="post" action="([^"]+/login)"', response.text)
            if form is None or username is None:
                return response
            response = self.http.post(urljoin(response.url, form[1]), allow_redirects=False,
                                      data={"username": username,
                                            "password": PASSWORDS[username]}, timeout=30)
            username = None  # once: a second form means the password was refused
        raise AssertionError("the provider kept redirecting")

    def callback_url(self, authorization_url: str, username: str) -> str:
        response = self.at_provider(authorization_url, username)
        assert response.status_code in (302, 303), response.text[:500]
        location = str(response.headers["Location"])
        assert location.startswith(self.portal), location
        return location

    def sign_in(self, username: str, path: str = "/login/sso") -> requests.Response:
        """The whole flow; returns the portal's answer to the provider's callback."""
        return self.get(self.callback_url(self.start(path), username))

    def signed_in(self) -> bool:
        return self.get("/account").status_code == 200
