"""Benchmarks of the portal at scale, run by ``make bench`` on PostgreSQL."""
