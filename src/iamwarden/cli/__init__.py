"""iamwarden.cli."""
