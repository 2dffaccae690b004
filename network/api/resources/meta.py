"""/me: the token's owner and scope (a first call to try a new token with)."""
from __future__ import annotations

from network.api.framework import api_get, current_api_token
from network.api.schemas.meta import TokenOwnerOut


@api_get("/me", response=TokenOwnerOut, summary="Hvem tilgangsnøkkelen tilhører", tag="Tilgang")
def me() -> TokenOwnerOut:
    """Eieren av tilgangsnøkkelen, nøkkelens navn, utløpstid og eventuelt nettverket den er begrenset til."""
    token = current_api_token()
    return TokenOwnerOut(person_id=token.person.id, name=token.person.name, token_name=token.name,
                         network_id=token.network_id, expires_at=token.expires_at.isoformat())
