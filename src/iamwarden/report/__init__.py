"""iamwarden.report."""
