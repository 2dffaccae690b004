"""Feedback to KS: what works, what does not, suggestions and attachments, named or anonymous."""
