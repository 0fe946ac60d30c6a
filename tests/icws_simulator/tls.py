"""A self-signed certificate generated at start (HTTPS mode)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import hashlib
import ipaddress
from pathlib import Path
import ssl
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True, slots=True)
class SelfSignedCertificate:
    """PEM files of a self-signed certificate and its key."""

    cert_path: Path
    key_path: Path

    @property
    def pem(self) -> str:
        """Return the certificate in PEM form."""
        return self.cert_path.read_text()

    @property
    def der(self) -> bytes:
        """Return the certificate in DER form."""
        certificate = x509.load_pem_x509_certificate(self.cert_path.read_bytes())
        return certificate.public_bytes(serialization.Encoding.DER)

    @property
    def sha256(self) -> str:
        """Return the SHA-256 fingerprint of the DER form (64 lowercase hex digits)."""
        return hashlib.sha256(self.der).hexdigest()

    def server_context(self) -> ssl.SSLContext:
        """Return a server-side SSL context serving this certificate."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_path, self.key_path)
        return context

    def client_context(self) -> ssl.SSLContext:
        """Return a client-side SSL context that trusts (only) this certificate."""
        return ssl.create_default_context(cafile=str(self.cert_path))


def generate_self_signed(
    hostnames: Sequence[str] = ("localhost",),
    ip_addresses: Sequence[str] = ("127.0.0.1",),
    directory: Path | None = None,
    common_name: str = "CIC-ICWS",
    file_stem: str = "icws-simulator",
) -> SelfSignedCertificate:
    """Write a self-signed certificate (valid for the names and addresses) and its key.

    The certificate is its own trust anchor (CA:TRUE, keyCertSign), so a client can trust
    it by loading it as its CA file; `directory` defaults to a new temporary directory.
    """
    if directory is None:
        directory = Path(tempfile.mkdtemp(prefix="icws-simulator-"))
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ICWS simulator"),
        ]
    )
    now = datetime.now(UTC)
    alt_names: list[x509.GeneralName] = [x509.DNSName(host) for host in hostnames]
    alt_names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ip_addresses]
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(public), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / f"{file_stem}.crt"
    key_path = directory / f"{file_stem}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return SelfSignedCertificate(cert_path, key_path)
