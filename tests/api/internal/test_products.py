"""Products through the internal API."""

from __future__ import annotations

from tests.api.internal.conftest import Admin, errors_of
from tests.factories import Factory


async def test_a_product_is_created_read_updated_and_deleted(api: Admin) -> None:
    created = await api.created(
        "/products",
        {
            "name": "SaaS Platform",
            "envato_id": "12345678",
            "description": "The app",
            "price": 49.5,
            "status": "draft",
        },
    )
    assert {k: created[k] for k in ("name", "envato_id", "description", "price", "status")} == {
        "name": "SaaS Platform",
        "envato_id": "12345678",
        "description": "The app",
        "price": 49.5,
        "status": "draft",
    }
    assert await api.data(f"/products/{created['id']}") == created
    updated = (
        await api.put(f"/products/{created['id']}", {"price": "0", "envato_id": None})
    ).json()["data"]
    assert updated["price"] == 0
    assert updated["envato_id"] is None
    assert updated["name"] == "SaaS Platform"
    assert (await api.delete(f"/products/{created['id']}")).status_code == 200
    assert (await api.get(f"/products/{created['id']}")).status_code == 404


async def test_products_are_listed_by_name(api: Admin, make: Factory) -> None:
    for name in ("Zeta", "Alpha", "Mu"):
        await make.product(name)
    assert [p["name"] for p in await api.data("/products")] == ["Alpha", "Mu", "Zeta"]


async def test_the_envato_id_is_unique(api: Admin, make: Factory) -> None:
    product = await make.product("Theme", envato_id="42")
    assert errors_of(await api.post("/products", {"name": "Copy", "envato_id": "42"})) == {
        "envato_id": ["The envato id has already been taken."]
    }
    other = await make.product("Plugin")
    assert list(errors_of(await api.put(f"/products/{other.id}", {"envato_id": "42"}))) == [
        "envato_id"
    ]
    # A product keeps its own id.
    assert (await api.put(f"/products/{product.id}", {"envato_id": "42"})).status_code == 200


async def test_product_validation(api: Admin) -> None:
    errors = errors_of(
        await api.post("/products", {"envato_id": "x" * 101, "price": -1, "status": "gone"})
    )
    assert errors == {
        "name": ["The name field is required."],
        "envato_id": ["The envato id field must not be greater than 100 characters."],
        "price": ["The price field must be at least 0."],
        "status": ["The selected status is invalid."],
    }
    assert list(errors_of(await api.post("/products", {"name": "A", "price": "cheap"}))) == [
        "price"
    ]
    assert list(errors_of(await api.post("/products", {"name": "x" * 251}))) == ["name"]


async def test_deleting_a_product_leaves_its_tickets_without_one(api: Admin, make: Factory) -> None:
    customer = await make.user("customer")
    product = await make.product("Theme")
    ticket = await api.created(
        "/tickets",
        {"customer_id": customer.id, "title": "T", "content": "C", "product_id": product.id},
    )
    await api.delete(f"/products/{product.id}")
    assert (await api.data(f"/tickets/{ticket['id']}"))["product"] is None
