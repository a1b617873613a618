"""An S3-compatible server for the storage tests: moto's server (``python -m moto.server``) in
a process of its own on 127.0.0.1, one per test worker, reached over real HTTP by boto3; each
test gets a bucket of its own."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from portal.config import Settings
from portal.storage.s3 import S3Config

REGION = "us-east-1"
ACCESS_KEY_ID = "portal-test"
SECRET_ACCESS_KEY = "portal-test-secret"


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str

    def client(self) -> Any:
        """A plain boto3 client, independent of the portal's code, to look into the bucket."""
        return boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint_url, region_name=REGION,
            aws_access_key_id=ACCESS_KEY_ID, aws_secret_access_key=SECRET_ACCESS_KEY)

    def new_bucket(self) -> str:
        name = f"portal-test-{secrets.token_hex(6)}"
        self.client().create_bucket(Bucket=name)
        return name


@dataclass(frozen=True)
class Bucket:
    """A fresh bucket on the server and the settings that point the portal at it."""

    server: S3Server
    name: str
    prefix: str = "mla/"

    def config(self, **changes: Any) -> S3Config:
        values: dict[str, Any] = {
            "bucket": self.name, "prefix": self.prefix, "endpoint_url": self.server.endpoint_url,
            "region": REGION, "access_key_id": ACCESS_KEY_ID,
            "secret_access_key": SECRET_ACCESS_KEY, **changes}
        return S3Config(**values)

    def settings(self, base: Settings, **changes: Any) -> Settings:
        return base.with_overrides(
            storage="s3", s3_bucket=self.name, s3_prefix=self.prefix,
            s3_endpoint_url=self.server.endpoint_url, s3_region=REGION,
            s3_access_key_id=ACCESS_KEY_ID, s3_secret_access_key=SECRET_ACCESS_KEY, **changes)

    def objects(self) -> dict[str, bytes]:
        """Every object in the bucket, read with a plain client: what is at rest."""
        client = self.server.client()
        listed = client.list_objects_v2(Bucket=self.name).get("Contents", [])
        return {item["Key"]: client.get_object(Bucket=self.name, Key=item["Key"])["Body"].read()
                for item in listed}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_listening(process: subprocess.Popen[bytes], port: int) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """moto's S3-compatible server on a free loopback port (tried again if another process
    takes the port first)."""
    log_path: Path = tmp_path_factory.mktemp("moto") / "server.log"
    env = {**os.environ, "AWS_DEFAULT_REGION": REGION}
    for _attempt in range(3):
        port = _free_port()
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        if _wait_until_listening(process, port):
            break
        process.terminate()
        process.wait(10)
    else:
        pytest.fail(f"moto's server did not start: {log_path.read_text(errors='replace')}")
    try:
        yield S3Server(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture()
def bucket(s3_server: S3Server) -> Bucket:
    return Bucket(s3_server, s3_server.new_bucket())
