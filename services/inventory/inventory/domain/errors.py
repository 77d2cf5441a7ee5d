"""Errors the inventory domain raises, beyond the kernel's DomainError (a refused rule, 409).

Lookups that find nothing are LookupErrors (404) and malformed values are ValueErrors
(422), so the edge can map each kind without reading messages.
"""

from __future__ import annotations


class InvalidValue(ValueError):
    """A value that is malformed whatever the state (a bad pseudonym, a negative count): HTTP 422."""


class KitNotFound(LookupError):
    """No kit has that id in the force (HTTP 404)."""


class BatchNotFound(LookupError):
    """No batch has that id in the force (HTTP 404)."""


class UnknownProduct(LookupError):
    """The product code is not in the product reference data."""
