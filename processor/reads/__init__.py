"""The bank's reads: queries, as-of, statements, balances, JSON shapes of events."""
