"""Progress bars of an import on the command line: one per file, rate and time left.

tqdm draws them on standard error, only on a terminal (a cron job's log gets none).
Shared by ``import`` and ``import watch``; a watcher reuses one instance per batch.
"""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm


class FileBars:
    """``progress(name, done, total)`` for :func:`app.imports.apply.import_files`."""

    def __init__(self) -> None:
        self._bars: dict[str, tqdm[Any]] = {}
        self._done: dict[str, int] = {}

    def __call__(self, name: str, done: int, total: int) -> None:
        bar = self._bars.get(name)
        if bar is None:
            bar = tqdm(
                total=total,
                desc=name,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                file=sys.stderr,
                disable=None,
            )
            self._bars[name] = bar
            self._done[name] = 0
        bar.update(max(0, done - self._done[name]))
        self._done[name] = done

    def close(self) -> None:
        """Close the bars; the next batch starts new ones."""
        for bar in self._bars.values():
            bar.close()
        self._bars.clear()
        self._done.clear()
