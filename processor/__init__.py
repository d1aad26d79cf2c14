"""Write side: commands, events, pure decisions, the DynamoDB event store and the ledger service."""
