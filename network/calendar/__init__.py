"""iCalendar files and feeds for gatherings, and the reminder mail."""
