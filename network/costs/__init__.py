"""Day-package costs per municipality, the invoice basis and the catering list."""
