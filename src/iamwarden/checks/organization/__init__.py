"""Organization-wide checks: run once over an organization bundle (``iamwarden scan BUNDLE``), after its accounts."""
