"""iamwarden.detections."""
