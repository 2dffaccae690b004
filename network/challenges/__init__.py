"""The network's catalogue of shared housing-policy challenges."""
