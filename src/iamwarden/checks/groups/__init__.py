"""Checks of practice: groups."""
