"""The ground floor: what every other package stands on.

errors (the one exception tree), settings, keys (pure key formats), retry (the one backoff
policy), aws (boto3 clients, the one place botocore errors are translated, transactions with
typed cancellation reasons) and tables (the table definitions). Nothing here imports
``processor``, ``projections``, ``streams`` or ``acme_txn``; ``errors``, ``settings``, ``keys``
and ``retry`` import neither boto3 nor powertools.
"""
