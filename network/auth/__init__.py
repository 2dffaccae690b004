"""People, sign-in, invitations and password resets."""
