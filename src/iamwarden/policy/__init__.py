"""iamwarden.policy."""
