"""Planning-status profiles: Husbanken's six planning steps and KS's six strategic pieces of advice."""
