"""The 2019–2020 housing-policy network, loaded as demo data."""
