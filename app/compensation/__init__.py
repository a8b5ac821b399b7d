"""Compensation owed by the charter: its rules, the claims and the signed ledger."""
