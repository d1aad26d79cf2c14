"""Marketing offers (seed iteration 8): commands, rules, the storage port and its adapters."""
