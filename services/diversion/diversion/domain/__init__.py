"""The diversion domain: referrals and the force's commissioning of partners per scheme (pure Python)."""

from .commissioning import (  # noqa: F401
    COMMISSIONING_EVENTS,
    Commissioning,
    PartnerCommissioned,
    PartnerCommissionEnded,
    Period,
    commissioning_id,
)
from .referral import (  # noqa: F401
    REFERRAL_EVENTS,
    DiversionReferralMade,
    Referral,
    ReferralAccepted,
    ReferralClosed,
    ReferralDeclined,
    ReferralPersonalDataShredded,
    TreatmentEngaged,
    offer_id,
)
from .values import (  # noqa: F401
    OFFER_SCHEME,
    Closure,
    Consent,
    DeclineReason,
    Intervention,
    Scheme,
    ShredReason,
    Source,
    Status,
    day_in_uk,
)

#: Every event the diversion service stores, for its EventRegistry.
DIVERSION_EVENTS = REFERRAL_EVENTS + COMMISSIONING_EVENTS
