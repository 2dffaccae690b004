"""Shared resources: slide sets with a script per slide, reports and research, competence environments."""
