"""iamwarden.model."""
