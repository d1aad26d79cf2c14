"""The ledger service: dispatch, the appender, jobs, group commit, the archiver."""
