"""Networks, their member organisations, people's roles and the municipality pages."""
