"""Call records (read-only over the API; the agent writes them)."""
