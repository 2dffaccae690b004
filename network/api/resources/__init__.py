"""Every API resource module; each registers its routes on ``network.api.bp`` when imported.
One import line per module."""
from network.api.resources import meta  # noqa: F401
from network.api.resources import networks, gatherings, registrations  # noqa: F401,E401  (R1)
from network.api.resources import costs, challenges, planning  # noqa: F401,E401  (R2)
from network.api.resources import assignments, evaluations, dashboard  # noqa: F401,E401  (R3)
