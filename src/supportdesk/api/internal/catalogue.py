"""Products (seed 000), sorted by name."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, status

from supportdesk.api.deps import ProductServiceDep
from supportdesk.api.internal.deps import PageDep, require_scope
from supportdesk.api.internal.errors import InternalRoute
from supportdesk.api.internal.resource_schemas import ProductIn, ProductOut, ProductUpdateIn
from supportdesk.api.internal.schemas import Done, Envelope, ListEnvelope, listed, one
from supportdesk.api.types import PathId
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.services.products import ProductFields

router = APIRouter(tags=["internal"], route_class=InternalRoute)


def _fields(body: ProductIn | ProductUpdateIn) -> ProductFields:
    return ProductFields(
        fields_set=frozenset(body.model_fields_set),
        name=body.name,
        envato_id=body.envato_id or None,
        description=body.description,
        price=body.price,
        status=body.status,
    )


@router.get("/products", response_model=ListEnvelope[ProductOut])
async def list_products(
    principal: Annotated[Principal, require_scope(Scope.PRODUCTS_LIST)],
    products: ProductServiceDep,
    page: PageDep,
) -> ListEnvelope[ProductOut]:
    """List products, by name."""
    return listed(await products.list_page(principal, page), ProductOut.model_validate)


@router.post("/products", response_model=Envelope[ProductOut], status_code=status.HTTP_201_CREATED)
async def create_product(
    body: ProductIn,
    principal: Annotated[Principal, require_scope(Scope.PRODUCTS_CREATE)],
    products: ProductServiceDep,
) -> Envelope[ProductOut]:
    """Create a product."""
    return one(ProductOut.model_validate(await products.create(principal, _fields(body))))


@router.get("/products/{product_id}", response_model=Envelope[ProductOut])
async def get_product(
    product_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.PRODUCTS_READ)],
    products: ProductServiceDep,
) -> Envelope[ProductOut]:
    """Read a product."""
    return one(ProductOut.model_validate(await products.get(principal, product_id)))


@router.put("/products/{product_id}", response_model=Envelope[ProductOut])
async def update_product(
    product_id: PathId,
    body: ProductUpdateIn,
    principal: Annotated[Principal, require_scope(Scope.PRODUCTS_UPDATE)],
    products: ProductServiceDep,
) -> Envelope[ProductOut]:
    """Change a product."""
    product = await products.update(principal, product_id, _fields(body))
    return one(ProductOut.model_validate(product))


@router.delete("/products/{product_id}", response_model=Done)
async def delete_product(
    product_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.PRODUCTS_DELETE)],
    products: ProductServiceDep,
) -> Done:
    """Delete a product.

    Its tickets stay, without a product.
    """
    await products.delete(principal, product_id)
    return Done(message="Product deleted successfully")
