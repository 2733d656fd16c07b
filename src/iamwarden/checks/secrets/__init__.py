"""Checks of practice: secrets."""
