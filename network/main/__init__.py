"""The front door: landing page, "my page", error pages, formatting and assets."""
