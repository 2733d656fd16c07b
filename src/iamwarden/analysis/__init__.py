"""iamwarden.analysis."""
