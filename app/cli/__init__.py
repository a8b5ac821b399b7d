"""The command line: for IT (install, migrate, users, verify) and for the demo."""
