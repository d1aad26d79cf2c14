"""Applications on the engine (issue 13): the loyalty points program (``apps.loyalty``).

An application reuses the ledger's write side (commands decided purely, events appended
conditionally, idempotency by txn id) and keeps its own read models, folded from the ledger's
events. It sits beside ``projections`` and ``streams``: it imports ``processor`` and
``acme_base`` only; ``acme_txn.bootstrap`` wires it.
"""
