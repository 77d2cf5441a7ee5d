from .officer import *  # noqa: F401,F403
from .officer import OFFICER_EVENTS, Officer, officer_id_for  # noqa: F401
from .policy import *  # noqa: F401,F403
from .policy import POLICY_EVENTS, TrainingPolicy, policy_id_for  # noqa: F401

TRAINING_EVENTS = OFFICER_EVENTS + POLICY_EVENTS
