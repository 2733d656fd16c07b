"""iamwarden.checks."""
