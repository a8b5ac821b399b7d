"""Checking many Ed25519 signatures across the machine's cores, with flat memory.

Signature checks are most of `verify`'s work and each is independent of the
others (the chain order is checked apart, on the signatures' text), so they go
in batches to worker processes while the caller keeps reading rows. At most a
few batches per worker are in flight: memory stays the same for a thousand
records or a hundred million.

This module imports nothing of the application, so that a worker process
starts quickly on every platform.
"""

from __future__ import annotations

import base64
import binascii
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Generic, TypeVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

Tag = TypeVar("Tag")

BATCH_SIZE = 1024
IN_FLIGHT_PER_WORKER = 3
# Below this many signatures, starting processes costs more than it saves.
PARALLEL_THRESHOLD = 20_000

_worker_key: Ed25519PublicKey | None = None


def _init_worker(public_key_raw: bytes) -> None:
    global _worker_key
    _worker_key = Ed25519PublicKey.from_public_bytes(public_key_raw)


def failing_indexes(
    key: Ed25519PublicKey,
    batch: Sequence[tuple[str, Any]],
    message_of: Callable[[Any], bytes] | None = None,
) -> list[int]:
    """Positions in ``batch`` of the (base64 signature, message) pairs that do not hold.

    With ``message_of``, the second item of each pair is what the message is built
    from, here (in the worker), rather than the message itself.
    """
    failed = []
    for index, (signature_b64, payload) in enumerate(batch):
        try:
            message = payload if message_of is None else message_of(payload)
            key.verify(base64.b64decode(signature_b64, validate=True), message)
        except (InvalidSignature, ValueError, TypeError, binascii.Error):
            failed.append(index)
    return failed


def _verify_in_worker(
    batch: Sequence[tuple[str, Any]], message_of: Callable[[Any], bytes] | None = None
) -> list[int]:
    assert _worker_key is not None
    return failing_indexes(_worker_key, batch, message_of)


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _started_pool(public_key_raw: bytes, workers: int) -> ProcessPoolExecutor | None:
    try:
        return process_pool(public_key_raw, workers)
    except (OSError, RuntimeError, ValueError):  # no processes here: check in this one
        return None


def process_pool(public_key_raw: bytes, workers: int) -> ProcessPoolExecutor:
    """Workers that each hold the public key; forkserver where there is one, since the
    parent holds database connections that a forked child must not share."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_init_worker,
        initargs=(public_key_raw,),
    )


class SignatureChecker(Generic[Tag]):
    """Collects (tag, signature, message) and reports the tags whose signature fails.

    ``message_of``: a module-level function that builds the message in the worker
    from what :meth:`add` was given (None: it was given the message). With
    ``workers`` = 0 the checks run in the calling process, as they come.
    """

    def __init__(
        self,
        public_key_raw: bytes,
        *,
        workers: int,
        batch_size: int = BATCH_SIZE,
        message_of: Callable[[Any], bytes] | None = None,
    ) -> None:
        self._key = Ed25519PublicKey.from_public_bytes(public_key_raw)
        self._message_of = message_of
        self._batch_size = batch_size
        self._pool = _started_pool(public_key_raw, workers) if workers > 0 else None
        self._max_in_flight = max(1, workers) * IN_FLIGHT_PER_WORKER
        self._in_flight: deque[tuple[list[Tag], list[tuple[str, Any]], Future[list[int]]]]
        self._in_flight = deque()
        self._tags: list[Tag] = []
        self._pairs: list[tuple[str, Any]] = []
        self.failed: list[Tag] = []
        self.checked = 0

    def add(self, tag: Tag, signature_b64: str, message: Any) -> None:
        self._tags.append(tag)
        self._pairs.append((signature_b64, message))
        if len(self._pairs) >= self._batch_size:
            self._send()

    def _send(self) -> None:
        tags, pairs = self._tags, self._pairs
        self._tags, self._pairs = [], []
        self.checked += len(pairs)
        while len(self._in_flight) >= self._max_in_flight:
            self._collect_oldest()
        if self._pool is not None:
            try:
                future = self._pool.submit(_verify_in_worker, pairs, self._message_of)
            except (BrokenProcessPool, RuntimeError, OSError):
                self._lose_the_pool()
            else:
                self._in_flight.append((tags, pairs, future))
                return
        self._check_here(tags, pairs)

    def _check_here(self, tags: list[Tag], pairs: list[tuple[str, Any]]) -> None:
        self.failed.extend(tags[i] for i in failing_indexes(self._key, pairs, self._message_of))

    def _collect_oldest(self) -> None:
        tags, pairs, future = self._in_flight.popleft()
        try:
            failed = future.result()
        except BrokenProcessPool:
            # A worker died (killed, out of memory, a frozen build that cannot start
            # one): the checks go on here, slower, rather than verify failing.
            self._lose_the_pool()
            self._check_here(tags, pairs)
            return
        self.failed.extend(tags[i] for i in failed)

    def _lose_the_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def finish(self) -> list[Tag]:
        """Wait for every check; the tags that failed, in the order they were added."""
        if self._pairs:
            self._send()
        while self._in_flight:
            self._collect_oldest()
        self.close()
        return self.failed

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> SignatureChecker[Tag]:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def verify_pairs(
    public_key_raw: bytes,
    pairs: Iterable[tuple[str, bytes]],
    *,
    workers: int,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Check bare (signature, message) pairs as `verify` does; returns how many failed.

    The benchmark's floor: the same signatures, the same parallelism, nothing else.
    """
    with SignatureChecker[int](public_key_raw, workers=workers) as checker:
        for index, (signature, message) in enumerate(pairs):
            checker.add(index, signature, message)
        return len(checker.finish())
