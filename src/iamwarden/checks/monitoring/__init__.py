"""Checks of practice: monitoring."""
