from .provision import (  # noqa: F401
    PROVISION_EVENTS,
    ForceProvision,
    ProvisionStatus,
    ProvisionStatusSet,
    provision_id_for,
)
