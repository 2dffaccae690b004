"""A network's archive: export all of it as one ZIP, and import it into an empty installation."""
