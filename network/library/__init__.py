"""The experience library: municipalities' examples of housing-policy work, in Husbanken's structure."""
