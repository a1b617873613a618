"""E-mail over TLS checks the SMTP server's certificate: a server whose certificate no trusted
authority signed is refused before anything is sent (smtps:// and smtp+starttls://)."""

from __future__ import annotations

import datetime
import socket
import ssl
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from portal.mail.outbox import _send_smtp


def _self_signed(directory: Path) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), False)
            .sign(key, hashes.SHA256()))
    (directory / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(directory / "cert.pem", directory / "key.pem")
    return context


@pytest.fixture()
def tls_server(tmp_path: Path) -> Iterator[tuple[int, list[bytes]]]:
    """A server that answers SMTP's greeting and STARTTLS, then offers a self-signed
    certificate; what it received in clear or over TLS is recorded."""
    context = _self_signed(tmp_path)
    listener = socket.create_server(("127.0.0.1", 0))
    received: list[bytes] = []

    def serve() -> None:
        for _ in range(2):
            try:
                conn, _addr = listener.accept()
            except OSError:
                return
            with conn:
                try:
                    conn.settimeout(1.0)  # (an SMTP client waits for the server's greeting)
                    try:
                        first = conn.recv(1, socket.MSG_PEEK)
                    except TimeoutError:
                        first = b""
                    conn.settimeout(10.0)
                    if first == b"\x16":  # a TLS ClientHello: smtps://
                        with context.wrap_socket(conn, server_side=True) as tls:
                            received.append(tls.recv(1024))
                        continue
                    conn.sendall(b"220 localhost ESMTP\r\n")
                    conn.recv(1024)  # EHLO
                    conn.sendall(b"250-localhost\r\n250 STARTTLS\r\n")
                    conn.recv(1024)  # STARTTLS
                    conn.sendall(b"220 go ahead\r\n")
                    with context.wrap_socket(conn, server_side=True) as tls:
                        received.append(tls.recv(1024))
                except (OSError, ssl.SSLError):
                    continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], received
    finally:
        listener.close()
        thread.join(5)


@pytest.mark.parametrize("scheme", ["smtps", "smtp+starttls"])
def test_a_server_certificate_no_authority_signed_is_refused(
        tls_server: tuple[int, list[bytes]], scheme: str) -> None:
    port, received = tls_server
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.org", "b@example.org", "x"
    message.set_content("case content must not leave over an unverified channel")
    with pytest.raises(ssl.SSLCertVerificationError):
        _send_smtp(f"{scheme}://user:secret@localhost:{port}", message)
    assert received == []  # neither the password nor the message was sent
