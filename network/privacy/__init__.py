"""Privacy (GDPR): the privacy page, "Mine data", account deletion, retention jobs and the export log."""
