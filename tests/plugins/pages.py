"""Fixtures: pages."""
