"""Checks of practice: audit."""
