"""The Ed25519 signing key: a file with owner-only permissions, never in the database.

Only the public half is stored with the data (``signing_keys``), so that anyone
holding the data can check a record but nobody holding only the data can forge one.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import ConfigurationError
from app.i18n import N_
from db.models import SigningKey


def key_id_of(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_b64(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def public_key_from_b64(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text))


@dataclass(frozen=True)
class Verifier:
    """Checks signatures against one public key."""

    public_key: Ed25519PublicKey

    @property
    def key_id(self) -> str:
        return key_id_of(self.public_key)

    def verify(self, signature_b64: str, message: bytes) -> bool:
        try:
            self.public_key.verify(base64.b64decode(signature_b64, validate=True), message)
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """Signs records; only the workstation that holds the key file can make one."""

    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def key_id(self) -> str:
        return key_id_of(self.public_key)

    @property
    def verifier(self) -> Verifier:
        return Verifier(self.public_key)

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.private_key.sign(message)).decode("ascii")

    def register(self, session: Session) -> None:
        """Store the public half with the data, once."""
        exists = session.scalar(select(SigningKey.id).where(SigningKey.key_id == self.key_id))
        if exists is None:
            session.add(SigningKey(key_id=self.key_id, public_key=public_key_b64(self.public_key)))
            session.flush()


def _check_permissions(path: Path) -> None:
    if os.name != "posix":
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigurationError(
            N_("The signing key {path} can be read by other users; run: chmod 600 {path}"),
            field="key_file",
            path=str(path),
        )


def load_signer(path: Path) -> Signer:
    if not path.exists():
        raise ConfigurationError(
            N_("The signing key {path} does not exist. Run: python main.py key init"),
            field="key_file",
            path=str(path),
        )
    _check_permissions(path)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except ValueError:
        raise ConfigurationError(
            N_("The signing key {path} is not a valid key file."), field="key_file", path=str(path)
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(
            N_("The signing key {path} is not an Ed25519 key."), field="key_file", path=str(path)
        )
    return Signer(key)


def create_signer(path: Path) -> Signer:
    """Write a new key file readable by its owner only (0600, folder 0700)."""
    if path.exists():
        raise ConfigurationError(
            N_("The signing key {path} already exists; it is never overwritten."),
            field="key_file",
            path=str(path),
        )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    return Signer(key)


def load_or_create_signer(path: Path) -> Signer:
    return load_signer(path) if path.exists() else create_signer(path)
