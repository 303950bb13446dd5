"""Benchmarks: each prints a table comparing against a baseline measured in the same run."""
