"""Signed, append-only chains: every payment and journal event is signed over its
content and the previous signature, with a key kept outside the database."""
