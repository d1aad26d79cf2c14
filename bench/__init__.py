"""Benchmarks: ratios measured side by side in one run on the same backend (never asserted)."""
