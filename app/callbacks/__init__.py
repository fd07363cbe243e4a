"""Callbacks: the list of people to call back, its admin API, and the scheduler that places
them as outbound calls."""
