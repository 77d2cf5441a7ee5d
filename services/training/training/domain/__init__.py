from .officer import *  # noqa: F401,F403
from .officer import OFFICER_EVENTS, Officer, OfficerNotFound, officer_id_for  # noqa: F401
