"""Read side: pure folds and planning, the exactly-once projector's rules, the ViewStore port
with its DynamoDB adapter and in-memory twin, rebuild, reconcile, reports."""
