"""Checks of practice: conditions."""
