"""python-escpos, loaded when a receipt is first rendered, from a cache that outlives the process.

At its first import python-escpos parses its printer capability database (a JSON
file read with a YAML parser: most of a second) and caches the result as a
pickle in ``ESCPOS_CAPABILITIES_PICKLE_DIR``, else in a fresh
``tempfile.mkdtemp()`` folder it never removes. It calls ``mkdtemp()`` even when
the variable is set. Every start of Guichet paid the parse and left a folder in
/tmp (hundreds on a counter PC). So here:

- the pickle lives in the user's cache folder and is written by us, atomically
  (read with :mod:`json`: the same data, hundreds of times faster), so a second
  process starting at the same moment never reads half a file;
- python-escpos's own ``mkdtemp()`` call is answered with that folder, so no
  temporary folder is made;
- nothing imports python-escpos at start: every module of Guichet reaches it
  through :func:`load`, :func:`get_profile` or :func:`dummy_printer`.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import pickle
import platform
import sys
import tempfile
import threading
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from platformdirs import user_cache_dir

from app.config import APP_NAME

if TYPE_CHECKING:
    from escpos.capabilities import BaseProfile
    from escpos.printer import Dummy

ENV_PICKLE_DIR = "ESCPOS_CAPABILITIES_PICKLE_DIR"  # python-escpos's own variable
ENV_CAPABILITIES_FILE = "ESCPOS_CAPABILITIES_FILE"  # python-escpos's own variable
MODULE = "escpos.capabilities"

log = logging.getLogger(__name__)
_lock = threading.Lock()
# Set while this thread imports python-escpos: its mkdtemp() gets the cache folder.
_importing: tuple[int, str] | None = None
_original_mkdtemp = tempfile.mkdtemp


def cache_dir() -> Path:
    """Where the capability pickle is kept: python-escpos's variable if set, else ours."""
    configured = os.environ.get(ENV_PICKLE_DIR)
    if configured:
        return Path(configured)
    return Path(user_cache_dir(APP_NAME, appauthor=False)) / "escpos"


def pickle_path(folder: Path) -> Path:
    """The file name python-escpos looks for in the folder."""
    return folder / f"{platform.python_version()}.capabilities.pickle"


def _capabilities_file() -> Path | None:
    configured = os.environ.get(ENV_CAPABILITIES_FILE)
    if configured:
        return Path(configured)
    packaged = resources.files("escpos") / "capabilities.json"
    path = Path(str(packaged))
    return path if path.is_file() else None  # inside a zip: let python-escpos read it


def _write_pickle(folder: Path) -> None:
    """The capability pickle, unless one at least as new as its source is there."""
    source = _capabilities_file()
    if source is None or not source.is_file():
        return
    target = pickle_path(folder)
    with contextlib.suppress(OSError):
        if target.stat().st_mtime >= source.stat().st_mtime:
            return
    with source.open(encoding="utf-8") as handle:
        capabilities = json.load(handle)  # JSON is YAML: python-escpos gets the same dict
    fd, partial = tempfile.mkstemp(prefix=".capabilities-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            pickle.dump(capabilities, out, protocol=2)  # the protocol python-escpos writes
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial)
        raise


def _mkdtemp(*args: Any, **kwargs: Any) -> str:
    importing = _importing
    if importing is not None and importing[0] == threading.get_ident() and not args and not kwargs:
        return importing[1]
    return _original_mkdtemp(*args, **kwargs)


@contextlib.contextmanager
def _no_stray_temp_folder(folder: Path) -> Iterator[None]:
    global _importing
    _importing = (threading.get_ident(), str(folder))
    setattr(tempfile, "mkdtemp", _mkdtemp)  # noqa: B010  # for the one call python-escpos makes
    try:
        yield
    finally:
        setattr(tempfile, "mkdtemp", _original_mkdtemp)  # noqa: B010
        _importing = None


def load() -> ModuleType:
    """``escpos.capabilities``, imported once, from the persistent cache."""
    module = sys.modules.get(MODULE)
    if module is not None:
        return module
    with _lock:
        module = sys.modules.get(MODULE)
        if module is not None:
            return module
        folder = cache_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _write_pickle(folder)
        except OSError as error:  # a read-only home: python-escpos parses, in a folder we remove
            log.warning("no cache for printer capabilities in %s: %s", folder, error)
            spare = tempfile.TemporaryDirectory(prefix="guichet-escpos-")
            folder = Path(spare.name)
            _keep_until_exit.append(spare)
        os.environ[ENV_PICKLE_DIR] = str(folder)
        with _no_stray_temp_folder(folder):
            return importlib.import_module(MODULE)


_keep_until_exit: list[tempfile.TemporaryDirectory[str]] = []


def get_profile(name: str | None = None) -> BaseProfile:
    """python-escpos's capability profile of a printer model, by name."""
    profile: BaseProfile = load().get_profile(name)
    return profile


def dummy_printer(profile: str) -> Dummy:
    """python-escpos's printer that keeps the bytes it is given."""
    load()
    from escpos.printer import Dummy

    return Dummy(profile=profile)
