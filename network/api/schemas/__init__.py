"""Pydantic models of what the API returns (one module per area). Money is a string with two
decimals, dates ISO strings."""
