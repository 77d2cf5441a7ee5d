"""Records a force's HR or learning system publishes to training (docs/integration.md).

Each runs the REST route's own code with the route's body model. HR names officers by
staff number; the officer's id follows from it (`officer_id_for`), as at enrolment.
"""

from naloxone.inbound.v1.training_pb2 import OfficerEnrolmentRecord, TrainingRecord
from naloxone_kernel.domain import InvalidValue
from naloxone_kernel.inbound import InboundCommand, json_body

from ..domain import officer_id_for
from . import api
from .schemas import EnrolOfficerBody, TrainingRecordBody


async def enrolment(force_id: str, fields: dict, ctx, kit):
    return await api.enrol_officer(force_id, json_body(EnrolOfficerBody, fields), ctx, kit)


async def training_record(force_id: str, fields: dict, ctx, kit):
    staff_number = fields.pop("staff_number", None)
    if not staff_number:
        raise InvalidValue("the staff number of the officer who completed the course is required", "staff_number")
    return await api.record_training(force_id, officer_id_for(force_id, staff_number),
                                     json_body(TrainingRecordBody, fields), ctx, kit)


INBOUND = (InboundCommand(OfficerEnrolmentRecord, enrolment), InboundCommand(TrainingRecord, training_record))
