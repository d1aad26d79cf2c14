"""The composition root's parts, by role (``acme_txn.bootstrap`` assembles them into ``App``).

- ``options``: every tunable (``Options``) and the stream consumers' settings.
- ``stores``: the clients and the stores, from the one backend the root chose
  (``acme_txn.infrastructure``).
- ``services``: the ledger, the customers', offers' and apps' services, the archiver, the reads
  and the projector, built on the stores.
- ``consumers``: the stream consumers (projections, fraud signals, the apps) and their pollers.

Each layer builds on the one before it (``Consumers(Services(Stores))``); parts are built on
first use, once.
"""
