"""Budgets (seed 001) on the engine: expenses are debits of the user's ``EXP-<user>`` ledger
account (it may go negative: ``credits_must_not_exceed_debits``), budgets per user, category
and month are settings, and the spend projection, the expense index and the notifications are
folded from the ledger's events (``model``), stored by ``ports`` / ``memory`` / ``views``.
"""
