"""Records a force's records management system publishes to incidents (docs/integration.md).

Each runs the REST route's own code: the same body model validates it and the same
handler records it, so an inbound administration and a POST are one command.
"""

from naloxone.inbound.v1.incidents_pb2 import AdministrationRecord
from naloxone_kernel.inbound import InboundCommand, json_body

from . import api
from .schemas import AdministrationBody


async def administration(force_id: str, fields: dict, ctx, kit):
    return await api.record_administration(force_id, json_body(AdministrationBody, fields), ctx, kit)


INBOUND = (InboundCommand(AdministrationRecord, administration),)
