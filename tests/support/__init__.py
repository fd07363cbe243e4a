"""Helpers shared by the API, provisioning and migration tests."""
