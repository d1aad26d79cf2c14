"""Read side: pure folds of the event log, the exactly-once projector, rebuild, reports."""
