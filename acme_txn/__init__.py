"""acme-txn: shared infrastructure (settings, errors, AWS clients, tables, backend, CLI)."""

__version__ = "0.1.0"
