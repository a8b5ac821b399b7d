"""Deterministic demo data: an operator, its agencies, subscribers, bills and payments.

``build_demo`` fills an empty database for one of the profiles in ``PROFILES``
(``dz``, ``tn``, ``fr``); no Qt, so the command line and tests use it alike.
"""

from app.demo.builder import DemoLogin, DemoSummary, build_demo
from app.demo.profiles import PROFILES

__all__ = ["PROFILES", "DemoLogin", "DemoSummary", "build_demo"]
