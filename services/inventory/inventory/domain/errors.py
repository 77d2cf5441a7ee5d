"""Errors the inventory domain raises, beyond the kernel's DomainError (a refused rule, 409).

Lookups that find nothing are the kernel's NotFound (404) and malformed values its
InvalidValue (422, naming the field), so the edge maps each kind without reading messages.
"""

from __future__ import annotations

from naloxone_kernel.domain import InvalidValue, NotFound

__all__ = ["BatchNotFound", "InvalidValue", "KitNotFound", "UnknownProduct"]


class KitNotFound(NotFound):
    """No kit has that id in the force (HTTP 404)."""

    def __init__(self, kit_id: object, force_id: str | None = None) -> None:
        super().__init__("kit", kit_id, force_id)


class BatchNotFound(NotFound):
    """No batch has that id in the force (HTTP 404)."""

    def __init__(self, batch_id: object, force_id: str | None = None) -> None:
        super().__init__("batch", batch_id, force_id)


class UnknownProduct(InvalidValue):
    """The product code is not in the product reference data (HTTP 422 on product_code)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="product_code")
