"""The supervisor's day: tills (cash sessions), and later counts, X/Z reports and closings."""
