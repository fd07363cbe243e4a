"""Webhooks: subscriptions, the signed delivery of the outbox, and the event documentation."""
