"""The cloud job store checks the database's certificate (`sslmode=verify-full`) against the CA bundle
named by LIFESTREAM_DATABASE_SSLROOTCERT, as the Lambda does with the RDS bundle it ships.

A real PostgreSQL server with TLS on, its certificate issued by a CA made here; credentials from a real
Secrets Manager API (moto server), as in the cloud.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import shutil
from pathlib import Path

import boto3
import pytest

from lifestream.core import secrets
from lifestream.core.errors import ConfigError, TransientError
from lifestream.core.settings import load_settings
from lifestream.jobs import JobStore
from tests.support.postgres import destroy, start_postgres

SECRET = "lifestream/test/tls-database"


def _ca(name: str):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _server_cert(ca_key, ca_cert, hosts: list[str]):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    names = [x509.DNSName("localhost"), *(x509.IPAddress(ipaddress.ip_address(h)) for h in hosts)]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def _pem(obj) -> bytes:
    from cryptography.hazmat.primitives import serialization

    if hasattr(obj, "public_bytes"):
        return obj.public_bytes(serialization.Encoding.PEM)
    return obj.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    ca_key, ca_cert = _ca("LifeStream test CA")
    key, cert = _server_cert(ca_key, ca_cert, ["127.0.0.1"])
    server = start_postgres()
    for name, data, mode in (("server.crt", _pem(cert), 0o644), ("server.key", _pem(key), 0o600)):
        path = server.root / name
        path.write_bytes(data)
        path.chmod(mode)
        if os.geteuid() == 0:
            shutil.chown(path, "nobody")
    server.admin_execute(f"ALTER SYSTEM SET ssl_cert_file = '{server.root / 'server.crt'}'")
    server.admin_execute(f"ALTER SYSTEM SET ssl_key_file = '{server.root / 'server.key'}'")
    server.admin_execute("ALTER SYSTEM SET ssl = on")
    server.admin_execute("SELECT pg_reload_conf()")
    server.admin_execute("CREATE DATABASE lifestream")
    certs = tmp_path_factory.mktemp("certs")
    (certs / "ca.pem").write_bytes(_pem(ca_cert))
    (certs / "other-ca.pem").write_bytes(_pem(_ca("Someone else's CA")[1]))
    yield server, certs
    destroy(server)


@pytest.fixture
def tls_secret(moto_endpoint, tls_server, monkeypatch):
    server, _ = tls_server
    monkeypatch.setenv("LIFESTREAM_AWS_ENDPOINT_URL", moto_endpoint)
    secrets.resolve_secret.cache_clear()
    sm = boto3.client("secretsmanager", endpoint_url=moto_endpoint)
    value = {"username": "app", "password": "unused", "host": "127.0.0.1", "port": server.port}
    sm.create_secret(Name=SECRET, SecretString=json.dumps({**value, "dbname": "lifestream"}))
    yield
    sm.delete_secret(SecretId=SECRET, ForceDeleteWithoutRecovery=True)
    secrets.resolve_secret.cache_clear()


def _store(rootcert: Path) -> JobStore:
    settings = load_settings(
        database_secret=SECRET, database_sslmode="verify-full", database_sslrootcert=rootcert
    )
    return JobStore.from_settings(settings)


def test_verify_full_connects_with_the_configured_ca_bundle(tls_server, tls_secret):
    _, certs = tls_server
    store = _store(certs / "ca.pem")
    try:
        store.migrate()
        claim = store.claim(bucket="b", key="uploads/a.mp4", version="v1", worker_id="w", stale_after=60)
        assert claim.outcome == "claimed"
        with store.engine.connect() as connection:
            ssl = connection.exec_driver_sql("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            assert ssl.scalar() is True
    finally:
        store.close()


def test_a_certificate_from_another_ca_is_refused(tls_server, tls_secret):
    _, certs = tls_server
    store = _store(certs / "other-ca.pem")
    try:
        with pytest.raises(TransientError, match="certificate verify failed"):
            store.migrate()
    finally:
        store.close()


def test_a_missing_ca_bundle_names_the_setting(tls_server, tls_secret, tmp_path):
    with pytest.raises(ConfigError, match="LIFESTREAM_DATABASE_SSLROOTCERT"):
        _store(tmp_path / "absent.pem")
