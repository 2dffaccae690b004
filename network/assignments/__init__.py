"""Assignments between gatherings (working methods A, B and C): one shared submission per
municipality, comments in threads, and reminders."""
