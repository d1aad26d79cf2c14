"""Customers (seed iterations 1, 6, 7): commands, rules, the storage port and its adapters."""
