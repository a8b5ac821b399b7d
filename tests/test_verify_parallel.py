"""Signatures checked in worker processes: the same answers, and no stop when a worker dies."""

from __future__ import annotations

import os
import signal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.integrity.keys import Signer
from app.integrity.parallel import SignatureChecker, verify_pairs


def _pairs(count: int, bad: set[int]) -> tuple[bytes, list[tuple[str, bytes]]]:
    signer = Signer(Ed25519PrivateKey.generate())
    raw = signer.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pairs = []
    for index in range(count):
        message = f"record {index}".encode()
        pairs.append((signer.sign(message), message + (b"!" if index in bad else b"")))
    pairs.append(("not base64 at all", b"x"))
    return raw, pairs


def test_the_same_failures_in_process_and_in_workers() -> None:
    raw, pairs = _pairs(300, {7, 250})
    for workers in (0, 2):
        with SignatureChecker[int](raw, workers=workers, batch_size=16) as checker:
            for index, (signature, message) in enumerate(pairs):
                checker.add(index, signature, message)
            assert checker.finish() == [7, 250, 300]
    assert verify_pairs(raw, pairs, workers=2) == 3


def test_a_killed_worker_does_not_stop_the_checks() -> None:
    raw, pairs = _pairs(200, {150})
    checker = SignatureChecker[int](raw, workers=2, batch_size=8)
    for index, (signature, message) in enumerate(pairs[:40]):
        checker.add(index, signature, message)
    assert checker._pool is not None
    for pid in list(checker._pool._processes):
        os.kill(pid, signal.SIGKILL)
    for index, (signature, message) in enumerate(pairs[40:], start=40):
        checker.add(index, signature, message)
    assert checker.finish() == [150, 200]
    assert checker.checked == len(pairs)
