"""The `acme-txn` command line: thin entry points over the processor, streams and projections."""
