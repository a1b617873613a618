"""./gunicorn.conf.py is what gunicorn loads, and its values follow the portal's settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench import http_harness as h


def printed_config(tmp_path: Path, **env: str) -> dict[str, str]:
    """The settings gunicorn itself reports (``--print-config``) when started from the
    project's directory, as in production."""
    out = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--print-config", "portal.app:create_app()"],
        env=h.server_env("sqlite:///" + str(tmp_path / "portal.db"), tmp_path, **env),
        cwd=h.ROOT, capture_output=True, text=True, timeout=120, check=True).stdout
    values = {}
    for line in out.splitlines():
        name, sep, value = line.partition("=")
        if sep:
            values[name.strip()] = value.strip()
    return values


def test_gunicorn_loads_the_production_configuration(tmp_path: Path) -> None:
    config = printed_config(tmp_path)
    assert config["worker_class"] == "gthread"
    # the largest body (100 MB) at 256 kB/s, the PDF check's 20 s, and 30 s to answer
    assert int(config["timeout"]) == 400 + 20 + 30 > 30
    assert int(config["graceful_timeout"]) == 50
    assert config["bind"] == "['127.0.0.1:8000']"
    assert config["threads"] == "4"
    assert config["forwarded_allow_ips"] == "[]"  # no proxy is believed by default
    assert "%(U)s" in config["access_log_format"]
    assert "%(r)s" not in config["access_log_format"]  # no query strings in the log
    assert "%(f)s" not in config["access_log_format"]  # no Referer either
    assert config["post_worker_init"] == "<post_worker_init()>"  # the gc freeze is kept


def test_the_harness_options_override_the_file(tmp_path: Path) -> None:
    """bench/ and the reliability tests choose their own workers (and, through start()'s
    PORTAL_ACCESS_LOG, no access log) over the file's."""
    server = h.Gunicorn({}, workers=2, worker_class="sync")
    command = server.command()
    command.insert(command.index("portal.app:create_app()"), "--print-config")
    out = subprocess.run(command, env=h.server_env("sqlite:///" + str(tmp_path / "portal.db"),
                                                   tmp_path, PORTAL_ACCESS_LOG=""),
                         cwd=h.ROOT, capture_output=True, text=True, timeout=120, check=True)
    config = dict((name.strip(), value.strip()) for name, _sep, value in
                  (line.partition("=") for line in out.stdout.splitlines()))
    assert (config["worker_class"], config["threads"], config["workers"]) == ("sync", "1", "2")
    assert config["accesslog"] == "None"
    assert config["timeout"] == "60"


def test_the_configuration_follows_the_portal_settings(tmp_path: Path) -> None:
    config = printed_config(tmp_path, PORTAL_MAX_REQUEST_MB="50",
                            PORTAL_UPLOAD_TIME_LIMIT_SECONDS="40",
                            PORTAL_TRUSTED_PROXIES="10.0.0.5, 192.168.0.0/16",
                            PORTAL_BIND="0.0.0.0:9000", PORTAL_WEB_WORKERS="3",
                            PORTAL_WEB_THREADS="8")
    assert int(config["timeout"]) == 200 + 40 + 30
    assert int(config["graceful_timeout"]) == 70
    assert config["forwarded_allow_ips"] == "['10.0.0.5/32', '192.168.0.0/16']"
    assert config["bind"] == "['0.0.0.0:9000']"
    assert (config["workers"], config["threads"]) == ("3", "8")


def test_a_wrong_proxy_list_stops_gunicorn(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--print-config", "portal.app:create_app()"],
        env=h.server_env("sqlite:///" + str(tmp_path / "portal.db"), tmp_path,
                         PORTAL_TRUSTED_PROXIES="proxy.example.org"),
        cwd=h.ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "PORTAL_TRUSTED_PROXIES must list IP addresses" in result.stderr + result.stdout
