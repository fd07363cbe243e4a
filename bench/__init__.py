"""Benchmarks against the real local stack (offline providers): see bench/README.md."""
