"""Groups of member municipalities, for a network or for one gathering, with suggested groupings."""
