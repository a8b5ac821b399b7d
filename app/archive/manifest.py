"""The manifest of an archive: what it holds, for which period, signed by which key.

``manifest.json`` lists every CSV file with its SHA-256 and row count, the
period, the operator, when and by whom it was made and the id of the signing
key. ``manifest.sig`` is the detached Ed25519 signature (base64) of the exact
bytes of ``manifest.json``, made with the database's signing key: whoever holds
the public key can check the archive offline, and nobody without the private key
can change a file and its line in the manifest together.

The manifest names the key by its id only, never by the key itself: a key
carried inside the archive would vouch for whatever archive carries it.
"""

from __future__ import annotations

import json
from typing import Any

FORMAT = "guichet-archive"
VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
ALGORITHM = "Ed25519"


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """Sorted keys and an indent: the same manifest gives the same bytes, and a person
    can read it. The signature covers these bytes exactly, whatever their layout."""
    return (json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode(
        "utf-8"
    )


def signature_bytes(signature_b64: str) -> bytes:
    return (signature_b64 + "\n").encode("ascii")
