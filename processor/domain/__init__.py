"""The ledger's domain, pure: commands, events, account state, money and the rules."""
