"""Checks of practice: mfa."""
