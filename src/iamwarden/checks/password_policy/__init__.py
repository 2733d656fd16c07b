"""Checks of practice: password_policy."""
