"""The alerts domain (pure Python): what a spike is, a force's thresholds, and the EarlyWarning aggregate."""

from .early_warning import (  # noqa: F401
    EARLY_WARNING_EVENTS,
    MAX_SUBSCRIPTIONS,
    AdministrationCounted,
    AdministrationRecounted,
    EarlyWarning,
    OverdoseSpikeDetected,
    OverdoseSpikeSubsided,
    SpikeThresholdsSet,
    WebhookSubscribed,
    WebhookUnsubscribed,
    alert_id_for,
    early_warning_id,
)
from .policy import AREA_CODE, SpikePolicy, Watch, checked_area  # noqa: F401
from .spikes import Case, Spike, find_spikes  # noqa: F401

#: Every event the alerts service stores, for its EventRegistry.
ALERT_EVENTS = EARLY_WARNING_EVENTS
