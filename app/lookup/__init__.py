"""Subscriber lookup: one search box for identifiers and names (no Qt here).

``find_subscribers`` answers the counter's search box; ``normalize`` holds the
folding shared by what is stored and what is searched.
"""

from app.lookup.normalize import compact_code, fold_name, phone_to_e164, search_name_for
from app.lookup.service import LookupResult, MatchKind, SubscriberHit, find_subscribers

__all__ = [
    "LookupResult",
    "MatchKind",
    "SubscriberHit",
    "compact_code",
    "find_subscribers",
    "fold_name",
    "phone_to_e164",
    "search_name_for",
]
