"""Checks of practice: roles."""
