"""Bills as the billing system sends them: late delivery and the cut-off list."""
