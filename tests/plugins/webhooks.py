"""Fixtures: webhooks."""
