"""Gatherings (samlinger) of a network. The foundation keeps the list; registration comes later."""
