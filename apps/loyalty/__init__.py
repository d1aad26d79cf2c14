"""Loyalty points (seed 004) as ledger accounts in the unit ``PTS``.

A member is the ledger account ``PTS-<userId>``; EARN is a credit and REDEEM a debit whose
txn id is the seed's ``transactionId`` (so the engine's idempotency records make both exactly
once, and a short balance declines a REDEEM ``low_balance``). ``rules`` computes the points,
``model`` folds the events into the member view, ``ports`` / ``memory`` / ``views`` store it.
"""
