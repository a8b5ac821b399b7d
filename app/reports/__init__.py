"""Figures for supervisors: what the counters took."""
