"""CUPS printing without pycups: the `lp` and `lpstat` commands, or a message saying how.

pycups builds from source (CUPS headers and a C compiler), so it is an extra; a
plain install prints to CUPS queues through the CUPS client's commands. Fake
``lp``/``lpstat`` scripts on PATH stand in for the CUPS client here: they record
what they were given and answer as the real ones do in the C locale.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from app.printing import devices
from app.printing.devices import Delivery, PrinterError, parse_printer_uri, query_status, send
from app.printing.status import PrinterStatus
from app.printing.transports import cups as cups_transport
from app.printing.transports.cups import status_from_lpstat

ROOT = Path(__file__).resolve().parent.parent

_FAKE_LP = """#!{python}
import json, os, sys, time
queue = sys.argv[sys.argv.index("-d") + 1]
record = {{"argv": sys.argv[1:], "lc_all": os.environ.get("LC_ALL"),
          "data": sys.stdin.buffer.read().hex()}}
with open({log!r}, "a") as log:
    log.write(json.dumps(record) + "\\n")
if queue == "Missing":
    sys.exit("lp: The printer or class does not exist.")
if queue == "NoScheduler":
    sys.exit("lp: Error - Scheduler Not Responding.")
if queue == "Stuck":
    time.sleep(30)
print(f"request id is {{queue}}-42 (0 file(s))")
"""

_FAKE_LPSTAT = """#!{python}
import sys
queue = sys.argv[-1]
if queue == "Missing":
    sys.exit('lpstat: Invalid destination name in list "Missing".')
state = {{"Paper": "is idle.", "Paused": "disabled since Mon 01 Jan 2026 -"}}.get(queue, "is idle.")
alerts = {{"Paper": "media-empty-error media-low-warning"}}.get(queue, "none")
print(f"printer {{queue}} {{state}}  enabled since Mon 01 Jan 2026 08:00:00")
print("\\tForm mounted:")
print(f"\\tAlerts: {{alerts}}")
print("\\tDescription: receipts")
"""


@pytest.fixture
def fake_cups_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PATH holds only the fake lp and lpstat; pycups is not there. The log of lp calls."""
    folder = tmp_path / "bin"
    folder.mkdir()
    log = tmp_path / "lp.log"
    for name, script in (("lp", _FAKE_LP), ("lpstat", _FAKE_LPSTAT)):
        path = folder / name
        path.write_text(script.format(python=sys.executable, log=str(log)))
        path.chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.setattr(cups_transport, "_pycups", lambda: None)
    return log


def lp_calls(log: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_a_job_goes_to_lp_raw(fake_cups_client: Path) -> None:
    data = b"\x1b@Recu ALG01-G01-000001\n\x1dV\x00"
    assert send(parse_printer_uri("cups://Recus"), data) == Delivery.SENT
    (call,) = lp_calls(fake_cups_client)
    argv = call["argv"]
    assert isinstance(argv, list)
    assert argv[argv.index("-d") + 1] == "Recus" and argv[argv.index("-o") + 1] == "raw"
    assert bytes.fromhex(str(call["data"])) == data  # every byte, untouched
    assert call["lc_all"] == "C"  # its answer is parsed in English
    assert cups_transport.submit(parse_printer_uri("cups://Recus"), data) == 42


@pytest.mark.parametrize(
    ("queue", "expected"),
    [
        ("Missing", "CUPS has no print queue named Missing"),
        ("NoScheduler", "The CUPS print service does not answer"),
        ("Stuck", "The CUPS print service does not answer"),
    ],
)
def test_lp_refusals_are_printer_errors(
    fake_cups_client: Path, monkeypatch: pytest.MonkeyPatch, queue: str, expected: str
) -> None:
    monkeypatch.setattr(cups_transport, "LP_TIMEOUT", 0.5)
    with pytest.raises(PrinterError) as caught:
        send(parse_printer_uri(f"cups://{queue}"), b"x")
    assert expected in caught.value.translated()
    assert f"cups://{queue}" in caught.value.translated()


@pytest.mark.parametrize(
    ("queue", "status"),
    [
        ("Recus", PrinterStatus.ONLINE),
        ("Paper", PrinterStatus.PAPER_OUT),
        ("Paused", PrinterStatus.OFFLINE),
        ("Missing", PrinterStatus.UNREACHABLE),
    ],
)
def test_queue_state_from_lpstat(fake_cups_client: Path, queue: str, status: PrinterStatus) -> None:
    assert query_status(parse_printer_uri(f"cups://{queue}")) == status


def test_lpstat_output_with_a_job_printing() -> None:
    output = "printer Recus now printing Recus-7.  enabled since Mon\n\tAlerts: media-low-report\n"
    assert status_from_lpstat(output) == PrinterStatus.PAPER_LOW


def test_without_pycups_nor_lp_the_message_says_how_to_enable_cups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no lp, no lpstat
    monkeypatch.setattr(cups_transport, "_pycups", lambda: None)
    address = parse_printer_uri("cups://Recus")
    with pytest.raises(PrinterError) as caught:
        send(address, b"x")
    message = caught.value.translated()
    assert "pip install guichet[cups]" in message and "cups-client" in message
    assert devices.query_status(address) == PrinterStatus.UNREACHABLE


def test_the_command_line_prints_to_cups_without_pycups(
    fake_cups_client: Path, tmp_path: Path
) -> None:
    hidden = tmp_path / "no-pycups" / "cups"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text('raise ImportError("pycups is not installed")\n')
    command = ["printer", "test", "--device", "cups://Recus"]
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--language", "en", *command],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(hidden.parent)},
    )
    assert result.returncode == 0, result.stderr
    assert "Test page sent" in result.stdout
    (call,) = lp_calls(fake_cups_client)
    assert bytes.fromhex(str(call["data"])).startswith(b"\x1b@")


def test_a_plain_install_needs_no_compiler() -> None:
    """pycups (sdist only) is in the cups and dev extras, never in the dependencies."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        name, _, extras = requirement.partition("[")
        assert "pycups" not in name
        assert "cups" not in extras and "all" not in extras.split("]")[0].split(","), requirement
    assert any(r.startswith("pycups") for r in project["optional-dependencies"]["cups"])
