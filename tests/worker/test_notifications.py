"""Who hears of what: in-app notices and e-mail (issue 4, §3)."""

from __future__ import annotations

from supportdesk.core.db import Database
from supportdesk.core.enums import Role
from supportdesk.services.settings import SettingsService
from tests.factories import Factory
from tests.worker.conftest import Pipeline, SmtpSink
from tests.worker.support import Desk, notifications


async def _recipients(database: Database, kind: str) -> list[int]:
    return [n.user_id for n in await notifications(database, type=kind)]


async def test_a_new_ticket_notifies_the_projects_staff_in_the_references_shape(
    desk: Desk, make: Factory, database: Database, pipeline: Pipeline
) -> None:
    agent = await make.user(Role.AGENT, projects=[1])
    await make.user(Role.AGENT, projects=[await _other_project(make)])
    customer = await make.user(Role.CUSTOMER, avatar_url="https://cdn.test/jane.png")
    ticket = await desk.open(customer, subject="Printer on fire")

    await pipeline.deliver()

    [notice] = await notifications(database)
    assert (notice.user_id, notice.type, notice.ticket_id) == (
        agent.id,
        "ticket_created",
        ticket["id"],
    )
    assert notice.title == f"New ticket #{1000 + ticket['id']}"
    assert notice.message == f"{customer.name} opened “Printer on fire”"
    assert (notice.sender_name, notice.sender_avatar) == (customer.name, customer.avatar_url)
    assert notice.is_read is False


async def _other_project(make: Factory) -> int:
    return (await make.project()).id


async def test_a_customer_reply_notifies_the_assignee_and_the_watchers(
    desk: Desk, make: Factory, database: Database, pipeline: Pipeline
) -> None:
    assignee, watcher, bystander = [await make.user(Role.AGENT, projects=[1]) for _ in range(3)]
    customer = await make.user(Role.CUSTOMER)
    ticket = await desk.open(customer)
    await desk.assign(assignee, ticket["id"], assignee)
    await desk.watch(watcher, ticket["id"])
    await desk.reply(customer, ticket["id"], "Any news?")

    await pipeline.deliver()

    assert await _recipients(database, "ticket_reply") == [assignee.id, watcher.id]
    [notice] = await notifications(database, type="ticket_reply", user_id=assignee.id)
    assert notice.message == "Customer replied to your ticket"
    assert bystander.id not in await _recipients(database, "ticket_reply")


async def test_a_staff_reply_notifies_the_watchers_but_not_its_author(
    desk: Desk, make: Factory, database: Database, pipeline: Pipeline
) -> None:
    author, watcher = [await make.user(Role.AGENT, projects=[1]) for _ in range(2)]
    ticket = await desk.open(await make.user(Role.CUSTOMER))
    await desk.watch(author, ticket["id"])
    await desk.watch(watcher, ticket["id"])
    await desk.reply(author, ticket["id"], "Fixed on our side.")

    await pipeline.deliver()

    assert await _recipients(database, "ticket_reply") == [watcher.id]


async def test_an_assignment_notifies_the_new_assignee_only(
    desk: Desk, make: Factory, database: Database, pipeline: Pipeline
) -> None:
    lead = await make.user(Role.AGENT, projects=[1], lead=True)
    assignee = await make.user(Role.AGENT, projects=[1])
    ticket = await desk.open(await make.user(Role.CUSTOMER))
    await desk.assign(lead, ticket["id"], assignee)
    await desk.assign(lead, ticket["id"], lead)  # assigning oneself: nobody to tell

    await pipeline.deliver()

    [notice] = await notifications(database, type="ticket_assigned")
    assert notice.user_id == assignee.id
    assert notice.title == f"Ticket #{1000 + ticket['id']} assigned to you"


async def test_a_status_change_notifies_the_watchers_and_e_mails_the_customer(
    desk: Desk, make: Factory, database: Database, pipeline: Pipeline, smtp: SmtpSink
) -> None:
    agent, watcher = [await make.user(Role.AGENT, projects=[1]) for _ in range(2)]
    customer = await make.user(Role.CUSTOMER)
    ticket = await desk.open(customer)
    await desk.watch(watcher, ticket["id"])
    await desk.set_status(agent, ticket["id"], "resolved")

    await pipeline.deliver()

    assert await _recipients(database, "ticket_status_changed") == [watcher.id]
    [mail] = smtp.to(customer.email)
    assert mail["Subject"] == f"[{ticket['ticket_number']}] Your ticket is now resolved"


async def test_nobody_is_e_mailed_about_their_own_status_change(
    desk: Desk, make: Factory, pipeline: Pipeline, smtp: SmtpSink
) -> None:
    agent = await make.user(Role.AGENT, projects=[1])
    customer = await make.user(Role.CUSTOMER)
    ticket = await desk.open(customer)
    await desk.set_status(agent, ticket["id"], "resolved")
    await desk.reply(customer, ticket["id"], "Not fixed for me.")  # reopens it

    await pipeline.deliver()

    assert [mail["Subject"] for mail in smtp.to(customer.email)] == [
        f"[{ticket['ticket_number']}] Your ticket is now resolved"
    ]


async def test_internal_notes_are_never_e_mailed_to_the_customer(
    desk: Desk, make: Factory, pipeline: Pipeline, smtp: SmtpSink
) -> None:
    agent = await make.user(Role.AGENT, projects=[1])
    customer = await make.user(Role.CUSTOMER)
    ticket = await desk.open(customer)
    await desk.reply(agent, ticket["id"], "Customer seems confused.", kind="note")

    await pipeline.deliver()

    assert smtp.to(customer.email) == []


async def test_a_user_can_switch_a_kind_of_notice_off(
    desk: Desk, make: Factory, database: Database, pipeline: Pipeline
) -> None:
    muted = await make.user(
        Role.AGENT, projects=[1], notification_settings={"ticket_created": False}
    )
    listening = await make.user(Role.AGENT, projects=[1])
    ticket = await desk.open(await make.user(Role.CUSTOMER))
    await desk.watch(muted, ticket["id"])
    await desk.set_status(listening, ticket["id"], "resolved")

    await pipeline.deliver()

    assert await _recipients(database, "ticket_created") == [listening.id]
    assert await _recipients(database, "ticket_status_changed") == [muted.id]


async def test_a_customer_can_switch_e_mail_off(
    desk: Desk, make: Factory, pipeline: Pipeline, smtp: SmtpSink
) -> None:
    agent = await make.user(Role.AGENT, projects=[1])
    customer = await make.user(Role.CUSTOMER, notification_settings={"email": False})
    ticket = await desk.open(customer)
    await desk.reply(agent, ticket["id"], "Done.")

    await pipeline.deliver()

    assert smtp.to(customer.email) == []


async def test_the_notification_address_gets_every_new_ticket(
    desk: Desk, make: Factory, database: Database, pipeline: Pipeline, smtp: SmtpSink
) -> None:
    async with database.transaction() as session:
        await SettingsService(session).put("sd_notification_email", "desk@example.test")
    customer = await make.user(Role.CUSTOMER)
    ticket = await desk.open(customer, subject="Refund please")

    await pipeline.deliver()

    [mail] = smtp.to("desk@example.test")
    assert mail["Subject"] == f"[{ticket['ticket_number']}] New ticket: Refund please"
    assert customer.email in mail.get_payload()


async def test_without_smtp_nothing_is_e_mailed_and_the_notices_still_arrive(
    desk: Desk, make: Factory, database: Database, pipeline: Pipeline, smtp: SmtpSink
) -> None:
    object.__setattr__(
        pipeline.res.mailer, "settings", pipeline.res.settings.model_copy(update={"smtp_host": ""})
    )
    watcher = await make.user(Role.AGENT, projects=[1])
    customer = await make.user(Role.CUSTOMER)
    ticket = await desk.open(customer)
    await desk.watch(watcher, ticket["id"])
    await desk.set_status(watcher, ticket["id"], "resolved")

    await pipeline.deliver()

    assert smtp.messages == []
    assert await _recipients(database, "ticket_created") == [watcher.id]
