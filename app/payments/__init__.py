"""Taking payments, exactly once, into an append-only signed ledger."""
