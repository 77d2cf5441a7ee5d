"""Product reference data: which naloxone products inventory can stock, read from products.json.

A product is data, not code: a new product is one more entry in products.json, mapped
to the contract's NaloxoneProduct (or `other`, with its doses_per_kit saying how many
doses it holds). Loaded once and validated on load, so a bad entry fails at start-up.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Mapping

from ..domain import ContractProduct, Product, UnknownProduct

__all__ = ["load_products", "products", "product"]


def load_products(data: str | bytes | dict | None = None) -> Mapping[str, Product]:
    """Products by code, from `data` (JSON text or the parsed document) or the packaged products.json."""
    if data is None:
        data = resources.files(__package__).joinpath("products.json").read_text(encoding="utf-8")
    document = json.loads(data) if isinstance(data, (str, bytes)) else data
    out: dict[str, Product] = {}
    for entry in document["products"]:
        item = Product(code=entry["code"], name=entry["name"], form=entry["form"], route=entry["route"],
                       doses_per_kit=int(entry["doses_per_kit"]),
                       contract_product=ContractProduct(entry.get("contract_product", "other")))
        if item.code in out:
            raise ValueError(f"product code {item.code} appears twice in the product reference data")
        out[item.code] = item
    return MappingProxyType(out)


@cache
def products() -> Mapping[str, Product]:
    """The packaged product catalogue."""
    return load_products()


def product(code: str) -> Product:
    """The product with that code; UnknownProduct if the reference data has none."""
    try:
        return products()[code]
    except KeyError:
        raise UnknownProduct(f"no product {code!r}; known products: {', '.join(sorted(products()))}") from None
