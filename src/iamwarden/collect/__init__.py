"""iamwarden.collect."""
