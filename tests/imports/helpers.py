"""Building the import tests' files and reading the database they fill."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import text

from app.context import AppContext
from app.imports.apply import ImportOptions, import_files
from app.imports.refusals import ImportResult
from db.engine import Database

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples" / "billing"
EXAMPLE_FILES = (
    "offers.csv",
    "products.csv",
    "subscribers.csv",
    "contracts.csv",
    "invoices.csv",
    "deliveries.csv",
    "statuses.csv",
    "payments.csv",
)
TABLES = (
    "offers",
    "prepaid_products",
    "subscribers",
    "subscriber_phones",
    "contracts",
    "invoices",
    "outside_payments",
    "chain_heads",
    "journal_events",
    "outages",
    "compensation_claims",
)


def copy_examples(directory: Path, names: Sequence[str] = EXAMPLE_FILES) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names:
        target = directory / name
        shutil.copyfile(EXAMPLES / name, target)
        paths.append(target)
    return paths


def write(directory: Path, name: str, body: str, encoding: str = "utf-8") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_bytes(body.encode(encoding))
    return path


def run(ctx: AppContext, paths: Sequence[Path], **options: object) -> ImportResult:
    return import_files(ctx, list(paths), ImportOptions(**options))  # type: ignore[arg-type]


def checksum(database: Database) -> str:
    """Every row of the tables an import touches, in id order: equal sums, equal data."""
    digest = hashlib.sha256()
    with database.read() as session:
        for table in TABLES:
            order = "name" if table == "chain_heads" else "id"
            for row in session.execute(text(f"SELECT * FROM {table} ORDER BY {order}")):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def by_key(database: Database) -> list[tuple[object, ...]]:
    """The imported data by natural key, without ids: what any split of a batch gives."""
    queries = (
        "SELECT code, name, name_ar, service, monthly_fee_minor FROM offers ORDER BY code",
        "SELECT s.account_number, first_name, last_name, name_ar, search_name, address, city, "
        "created_on FROM subscribers s ORDER BY account_number",
        "SELECT s.account_number, p.number_e164, p.kind FROM subscriber_phones p JOIN "
        "subscribers s ON s.id = p.subscriber_id ORDER BY 1, 2, 3",
        "SELECT c.number, s.account_number, o.code, c.status, c.activated_on, c.suspended_on, "
        "c.line_e164 FROM contracts c JOIN subscribers s ON s.id = c.subscriber_id "
        "JOIN offers o ON o.id = c.offer_id ORDER BY c.number",
        "SELECT i.number, c.number, i.amount_minor, i.late_fee_minor, i.paid_minor, "
        "i.paid_elsewhere_minor, i.status, i.delivery_date, i.due_date FROM invoices i "
        "JOIN contracts c ON c.id = i.contract_id ORDER BY i.number",
        "SELECT p.reference, i.number, p.amount_minor, p.channel, p.paid_on FROM "
        "outside_payments p JOIN invoices i ON i.id = p.invoice_id ORDER BY p.reference",
    )
    rows: list[tuple[object, ...]] = []
    with database.read() as session:
        for query in queries:
            rows.extend(tuple(row) for row in session.execute(text(query)))
    return rows


def lines(result: ImportResult) -> list[str]:
    return [refusal.translated() for refusal in result.refusals]
