"""Fraud signals from the ledger stream: rules as data, per-account profiles, alerts."""
