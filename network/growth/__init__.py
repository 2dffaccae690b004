"""Growth classification: each member municipality's population trend, by the network's thresholds."""
