"""Outages: recorded by a supervisor (or an import), closed by fanning out to the
contracts they hit, each compensated once by the charter in force when it began."""
