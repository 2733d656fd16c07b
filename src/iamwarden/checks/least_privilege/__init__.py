"""Checks of practice: least_privilege."""
