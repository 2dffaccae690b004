"""Evaluations after each gathering: short, anonymous by design, answered once."""
