"""Phone numbers: E.164, exactly one department each, optionally an inbound trunk."""
