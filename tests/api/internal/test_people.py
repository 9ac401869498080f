"""Customers and agents through the internal API."""

from __future__ import annotations

from sqlalchemy import select

from supportdesk.auth.passwords import verify_password
from supportdesk.core.db import Database
from supportdesk.models import User
from tests.api.internal.conftest import Admin, errors_of
from tests.factories import Factory
from tests.support import StatementCounter

# ------------------------------------------------------------------ customers


async def test_a_customer_is_created_read_and_updated(api: Admin) -> None:
    created = await api.created(
        "/customers",
        {
            "name": "John Doe",
            "email": "John@Example.test",
            "phone": "+1234567890",
            "envato_username": "johnd",
        },
    )
    assert {k: created[k] for k in ("name", "email", "phone", "envato_username", "is_active")} == {
        "name": "John Doe",
        "email": "john@example.test",
        "phone": "+1234567890",
        "envato_username": "johnd",
        "is_active": True,
    }
    assert await api.data(f"/customers/{created['id']}") == created
    updated = (
        await api.put(f"/customers/{created['id']}", {"name": "John D.", "phone": None})
    ).json()["data"]
    assert updated["name"] == "John D."
    assert updated["phone"] is None
    assert updated["envato_username"] == "johnd"


async def test_customers_cannot_be_deleted(api: Admin, make: Factory) -> None:
    customer = await make.user("customer")
    response = await api.delete(f"/customers/{customer.id}")
    assert response.status_code == 405
    assert response.json() == {
        "status": False,
        "message": "Customers cannot be deleted via the API.",
    }
    assert (await api.get(f"/customers/{customer.id}")).status_code == 200


async def test_customers_are_listed_by_name_without_staff(api: Admin, make: Factory) -> None:
    await make.user("customer", name="Zoe")
    await make.user("customer", name="Adam")
    await make.user("agent", name="Bob")
    assert [c["name"] for c in await api.data("/customers")] == ["Adam", "Zoe"]


async def test_a_customers_email_is_unique(api: Admin, make: Factory) -> None:
    await make.user("customer", email="taken@example.test")
    body = {"name": "Copy", "email": "TAKEN@example.test"}
    assert errors_of(await api.post("/customers", body)) == {
        "email": ["The email has already been taken."]
    }
    other = await make.user("customer")
    assert list(
        errors_of(await api.put(f"/customers/{other.id}", {"email": "taken@example.test"}))
    ) == ["email"]


async def test_customer_validation(api: Admin) -> None:
    errors = errors_of(
        await api.post(
            "/customers", {"email": "nope", "phone": "1" * 51, "envato_username": "u" * 251}
        )
    )
    assert errors == {
        "name": ["The name field is required."],
        "email": ["The email field must be a valid email address."],
        "phone": ["The phone field must not be greater than 50 characters."],
        "envato_username": ["The envato username field must not be greater than 250 characters."],
    }


async def test_an_agent_is_not_a_customer(api: Admin, make: Factory) -> None:
    agent = await make.user("agent")
    assert (await api.get(f"/customers/{agent.id}")).status_code == 404


# ------------------------------------------------------------------ agents


async def test_an_agent_is_created_with_a_hashed_password_and_departments(
    api: Admin, make: Factory, database: Database
) -> None:
    support = await make.department("Support", sort_order=1)
    sales = await make.department("Sales", sort_order=0)
    created = await api.created(
        "/agents",
        {
            "name": "Agent Smith",
            "email": "smith@example.test",
            "password": "s3cret-password",
            "phone": "+100",
            "locale": "en",
            "departments": [support.id, sales.id],
        },
    )
    assert created["name"] == "Agent Smith"
    assert created["locale"] == "en"
    assert created["is_active"] is True
    assert created["departments"] == [
        {"id": sales.id, "name": "Sales"},
        {"id": support.id, "name": "Support"},
    ]
    assert "password" not in created
    assert await api.data(f"/agents/{created['id']}") == created
    async with database.transaction() as session:
        user = await session.scalar(select(User).where(User.id == created["id"]))
        assert user is not None and user.role == "agent"
        assert user.password_hash != "s3cret-password"
        assert await verify_password("s3cret-password", user.password_hash)


async def test_a_new_agent_can_log_in_to_the_portal_and_be_assigned(
    api: Admin, make: Factory
) -> None:
    agent = await api.created(
        "/agents", {"name": "A", "email": "a@example.test", "password": "long-enough"}
    )
    login = await api.client.post(
        "/api/auth/login", json={"email": "a@example.test", "password": "long-enough"}
    )
    assert login.status_code == 200, login.text
    customer = await make.user("customer")
    ticket = await api.created(
        "/tickets", {"customer_id": customer.id, "title": "T", "content": "C"}
    )
    assigned = await api.put(f"/tickets/{ticket['id']}", {"assigned_to": agent["id"]})
    assert assigned.status_code == 200, assigned.text


async def test_an_agent_update_changes_what_is_given(
    api: Admin, make: Factory, database: Database
) -> None:
    department = await make.department("Support")
    agent = await api.created(
        "/agents",
        {
            "name": "A",
            "email": "a@example.test",
            "password": "long-enough",
            "departments": [department.id],
        },
    )
    response = await api.put(
        f"/agents/{agent['id']}",
        {"name": "B", "locale": "fr", "password": "another-password", "departments": []},
    )
    assert response.status_code == 200, response.text
    updated = response.json()["data"]
    assert updated["name"] == "B"
    assert updated["locale"] == "fr"
    assert updated["email"] == "a@example.test"
    assert updated["departments"] == []
    async with database.transaction() as session:
        user = await session.get(User, agent["id"])
        assert user is not None and await verify_password("another-password", user.password_hash)


async def test_deactivating_an_agent_stops_their_external_key(api: Admin, make: Factory) -> None:
    agent = await make.user("agent")
    key = await make.api_key("external", agent_id=agent.id)
    updated = (await api.put(f"/agents/{agent.id}", {"is_active": False})).json()["data"]
    assert updated["is_active"] is False
    response = await api.client.get(
        "/api/v1/external/connection-check", headers={"X-API-KEY": key.raw_key}
    )
    assert response.status_code == 401


async def test_agents_are_filtered_by_department_and_activity(api: Admin, make: Factory) -> None:
    support = await make.department("Support")
    alice = await make.user("agent", name="Alice")
    bob = await make.user("agent", name="Bob", is_active=False)
    await make.user("agent", name="Carol")
    await make.user("admin", name="Admin")
    await api.put(f"/agents/{alice.id}", {"departments": [support.id]})
    await api.put(f"/agents/{bob.id}", {"departments": [support.id]})

    async def names(**params: object) -> list[str]:
        return [a["name"] for a in await api.data("/agents", **params)]

    assert await names() == ["Alice", "Bob", "Carol"]
    assert await names(department_id=support.id) == ["Alice", "Bob"]
    assert await names(is_active="true") == ["Alice", "Carol"]
    assert await names(is_active="false", department_id=support.id) == ["Bob"]


async def test_a_deleted_agent_is_gone(api: Admin, make: Factory) -> None:
    agent = await make.user("agent")
    assert (await api.delete(f"/agents/{agent.id}")).status_code == 200
    assert (await api.get(f"/agents/{agent.id}")).status_code == 404
    assert [a["id"] for a in await api.data("/agents")] == []


async def test_agent_validation(api: Admin, make: Factory) -> None:
    errors = errors_of(
        await api.post(
            "/agents",
            {"email": "bad", "password": "short", "locale": "x" * 11, "departments": [999]},
        )
    )
    assert errors == {
        "name": ["The name field is required."],
        "email": ["The email field must be a valid email address."],
        "password": ["The password field must be at least 8 characters."],
        "locale": ["The locale field must not be greater than 10 characters."],
    }
    assert errors_of(
        await api.post(
            "/agents",
            {
                "name": "A",
                "email": "a@example.test",
                "password": "long-enough",
                "departments": [999],
            },
        )
    ) == {"departments": ["The selected departments are invalid."]}
    await make.user("customer", email="used@example.test")
    assert errors_of(
        await api.post(
            "/agents", {"name": "A", "email": "used@example.test", "password": "long-enough"}
        )
    ) == {"email": ["The email has already been taken."]}
    assert list(errors_of(await api.post("/agents", {"name": "A", "email": "b@example.test"}))) == [
        "password"
    ]


async def test_an_agents_is_active_is_true_or_false_not_a_number(api: Admin) -> None:
    body = {"name": "A", "email": "a@example.test", "password": "long-enough", "is_active": 0}

    response = await api.post("/agents", body)

    assert errors_of(response) == {"is_active": ["The is active field must be true or false."]}


async def test_an_admin_is_not_an_agent_here(api: Admin, make: Factory) -> None:
    admin = await make.user("admin")
    assert (await api.get(f"/agents/{admin.id}")).status_code == 404
    assert (await api.put(f"/agents/{admin.id}", {"name": "X"})).status_code == 404


async def test_a_page_of_agents_costs_the_same_whatever_its_size(
    api: Admin, make: Factory, statements: StatementCounter
) -> None:
    department = await make.department("Support")

    async def cost() -> int:
        statements.start()
        response = await api.get("/agents", per_page=200)
        count = statements.stop()
        assert response.status_code == 200
        return count

    first = await make.user("agent")
    await api.put(f"/agents/{first.id}", {"departments": [department.id]})
    one = await cost()
    for _ in range(19):
        agent = await make.user("agent")
        await api.put(f"/agents/{agent.id}", {"departments": [department.id]})
    assert await cost() == one
    assert len(await api.data("/agents", per_page=200)) == 20
