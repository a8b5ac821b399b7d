"""Importing from the billing system: offers, subscribers, contracts, invoices, outside
payments, delivery dates, contract status changes and prepaid products.

- :mod:`sources` reads a file (CSV of any usual encoding and separator, or XLSX);
- :mod:`values` reads a cell (amounts, dates, phones, codes, names);
- :mod:`kinds` knows each kind's columns and natural key;
- :mod:`apply` runs a batch in one transaction, all or nothing, through the kinds'
  writers (:mod:`catalogue`, :mod:`accounts`, :mod:`bills`, :mod:`outside`);
- :mod:`lock` lets one import run at a time; :mod:`report` says what happened.
"""
