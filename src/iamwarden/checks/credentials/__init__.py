"""Checks of practice: credentials."""
