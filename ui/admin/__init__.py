"""The administrators' screens: the import from the billing system."""
