"""Fixtures: network."""
