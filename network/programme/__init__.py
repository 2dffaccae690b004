"""A gathering's programme and its materials (files and links)."""
