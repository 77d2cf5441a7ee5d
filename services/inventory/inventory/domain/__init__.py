"""The inventory domain: batches, individually tracked kits and take-home supply (pure Python)."""

from .batch import (  # noqa: F401
    BATCH_EVENTS,
    MAX_KITS_PER_BATCH,
    Batch,
    BatchExpired,
    BatchRecalled,
    StockReceived,
    kit_id_for,
    kit_label,
)
from .errors import BatchNotFound, InvalidValue, KitNotFound, UnknownProduct  # noqa: F401
from .kit import (  # noqa: F401
    KIT_EVENTS,
    Kit,
    KitExpired,
    KitIssued,
    KitRecalled,
    KitReturned,
    KitStocked,
    KitSuppliedTakeHome,
    KitTransferred,
    KitUsed,
    KitWrittenOff,
)
from .operations import expire_batch, receive_stock, recall_batch  # noqa: F401
from .supply import (  # noqa: F401
    SUPPLY_EVENTS,
    TakeHomeKitSupplied,
    TakeHomeSupply,
    TakeHomeSupplyPersonalDataShredded,
)
from .values import (  # noqa: F401
    NEVER_REISSUABLE,
    ContractProduct,
    KitReturnReason,
    KitStatus,
    Location,
    LocationType,
    OfficerStanding,
    Product,
    RepeatSupplyReason,
    SupplyRecipient,
    SupplySetting,
    WriteOffReason,
    checked_pseudonym,
    uk_day,
)

#: Every event the inventory service stores, for its EventRegistry.
INVENTORY_EVENTS = BATCH_EVENTS + KIT_EVENTS + SUPPLY_EVENTS
