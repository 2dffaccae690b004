"""The coordinators' dashboard: how a network is doing, on one page."""
