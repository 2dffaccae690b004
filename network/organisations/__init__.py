"""Counties and organisations: municipalities, county authorities, Husbanken, KS and others."""
