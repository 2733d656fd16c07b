"""Checks of practice: root."""
