"""Start-up: from launching ``python main.py`` to the sign-in screen painted.

Next to the floor measured in the same run: a bare PySide6 window (import,
application, one window shown and painted), launched the same way. Also the
time until the counter's main window is painted around the sign-in screen
(database open, key and schema checked, every screen built): the agent types
meanwhile. Runs
alternate between the two so both see the same machine load. Target: the
sign-in screen within 4x the bare window's time.

Also checks that a start leaves nothing behind: each child runs with its own
empty TMPDIR, which must still be empty when it exits, and the entries that
appeared in /tmp meanwhile are listed (any process's: look at their names).

Prints progress on stderr and one JSON line on stdout.

    .venv/bin/python tests/benchmarks/bench_startup.py --runs 7
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from bench_foundation import prepare  # noqa: E402


def launch(kind: str, argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(launch to first paint, launch to the counter ready, launch to exit) in ms."""
    command = [sys.executable, str(HERE / "startup_probe.py"), kind, *argv]
    start = time.monotonic()
    child = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    ended = time.monotonic()
    seen = dict(line.split(maxsplit=1) for line in child.stdout.splitlines() if line[:1].isalpha())
    if child.returncode != 0 or "painted" not in seen:
        raise SystemExit(f"{kind} did not start (exit {child.returncode}):\n{child.stderr[-3000:]}")
    painted = (float(seen["painted"]) - start) * 1000
    ready = (float(seen.get("ready", seen["painted"])) - start) * 1000
    return painted, ready, (ended - start) * 1000


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(samples), 1),
        "min_ms": round(min(samples), 1),
        "max_ms": round(max(samples), 1),
        "n": len(samples),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", help="database URL (default: the bench demo)")
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--platform", default="offscreen", help="QT_QPA_PLATFORM (xcb with Xvfb for a real X)"
    )
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="compile every module at each start, as with PYTHONDONTWRITEBYTECODE=1 and no "
        "__pycache__ (an installed application has its bytecode; this tree may not)",
    )
    args = parser.parse_args()
    work = Path("/tmp/guichet-bench")
    work.mkdir(exist_ok=True)
    url = args.database or f"sqlite:///{work / f'demo-{args.subscribers}.db'}"
    key = work / f"key-{args.subscribers}.pem"
    database, _ctx = prepare(url, args.subscribers, key)
    database.dispose()
    argv = ["--database", url, "--key-file", str(key)]

    env = dict(os.environ, QT_QPA_PLATFORM=args.platform)
    if not args.no_bytecode_cache:
        # As installed: bytecode compiled once (kept outside the source tree), then reused.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        for kind in ("bare", "guichet"):
            launch(kind, argv, env)  # compiles what is missing; not counted
    tmp_before = set(os.listdir("/tmp"))
    paint: dict[str, list[float]] = {"bare": [], "guichet": []}
    ready: list[float] = []
    lifetime: dict[str, list[float]] = {"bare": [], "guichet": []}
    left: list[str] = []
    for run in range(args.runs):
        for kind in ("bare", "guichet"):
            with tempfile.TemporaryDirectory(prefix="guichet-start-") as own_tmp:
                to_paint, to_ready, to_exit = launch(kind, argv, dict(env, TMPDIR=own_tmp))
                left += [f"{kind}: {name}" for name in os.listdir(own_tmp)]
            paint[kind].append(to_paint)
            lifetime[kind].append(to_exit)
            if kind == "guichet":
                ready.append(to_ready)
            print(f"run {run + 1} {kind}: painted {to_paint:.0f} ms", file=sys.stderr)
    appeared = sorted(set(os.listdir("/tmp")) - tmp_before)
    bare, guichet = statistics.median(paint["bare"]), statistics.median(paint["guichet"])
    print(
        json.dumps(
            {
                "platform": args.platform,
                "bytecode_cache": not args.no_bytecode_cache,
                "bare_window_painted": summary(paint["bare"]),
                "sign_in_painted": summary(paint["guichet"]),
                "ratio_p50": round(guichet / bare, 2),
                "target_ratio": 4,
                "counter_ready": summary(ready),
                "bare_process_ms": summary(lifetime["bare"]),
                "guichet_process_ms": summary(lifetime["guichet"]),
                "left_in_own_tmpdir": left,
                "appeared_in_tmp_meanwhile": appeared,
            }
        )
    )


if __name__ == "__main__":
    main()
