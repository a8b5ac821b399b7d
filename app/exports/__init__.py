"""The accounting export: CSV files the billing and accounting systems read.

``tables`` names every file and column, ``queries`` streams their rows from the
ledger, ``csv_writer`` writes them (plain decimals, ISO 8601, formulas
neutralised), ``service`` is what the supervisor calls.
"""
