"""The rows of a demo help desk, generated without touching a database.

``plan_setup`` makes the reference data (staff, customers, projects, their agents, SLA
policies, departments, categories, products, tags); ``ticket_batches`` then yields the
tickets with their messages, activities, tags and ratings, a chunk at a time, as plain
tuples in the column order of ``COLUMNS``. Ids are assigned here, after the highest ones
the database already holds (``Existing``), so the writer can COPY rows as they are.

The tickets follow the ticket rules (DESIGN.md §6) as if they had been worked through
the services: numbered per project and year in creation order, SLA due dates from the
project's policy (else the global one, else the defaults), the first public staff reply
stopping the first-response clock, pauses while waiting on the customer or on hold,
resolution and closing times, and breach flags wherever the worker's SLA check would
have set them. Everything is drawn from ``random.Random`` seeded by the plan's seed.
"""

from __future__ import annotations

import itertools
import json
import random
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from supportdesk.core.enums import (
    MessageType,
    Priority,
    Role,
    SenderType,
    TicketSource,
    TicketStatus,
)
from supportdesk.services.projects import prefix_candidates, slug_base, unique_slug
from supportdesk.services.sla import DEFAULT_TARGETS

DEMO_DOMAIN = "demo.supportdesk.test"
DEMO_PASSWORD = "demo-password"
DEFAULT_CHUNK_SIZE = 10_000
# Tickets spread over this many days before the plan's ``now``.
HISTORY_DAYS = 730

Row = tuple[Any, ...]

# The columns each table is written with, in the order of the generated tuples. Columns
# left out are NULL for every demo row. Tables are listed in the order they are written
# (every foreign key points at a table listed before it).
COLUMNS: dict[str, tuple[str, ...]] = {
    "users": (
        "id",
        "name",
        "email",
        "password_hash",
        "role",
        "phone",
        "company",
        "locale",
        "timezone",
        "notification_settings",
        "custom_fields",
        "is_active",
        "last_login_at",
        "created_at",
        "updated_at",
    ),
    "projects": (
        "id",
        "name",
        "slug",
        "ticket_prefix",
        "description",
        "support_email",
        "website_url",
        "timezone",
        "settings",
        "is_active",
        "created_at",
        "updated_at",
    ),
    "project_agents": ("project_id", "user_id", "is_lead", "created_at"),
    "departments": (
        "id",
        "name",
        "description",
        "email",
        "is_default",
        "status",
        "sort_order",
        "created_at",
        "updated_at",
    ),
    "department_agents": ("department_id", "user_id"),
    "categories": (
        "id",
        "name",
        "description",
        "color",
        "status",
        "sort_order",
        "created_at",
        "updated_at",
    ),
    "products": ("id", "name", "description", "status", "created_at", "updated_at"),
    "tags": ("id", "name", "color", "status", "sort_order", "created_at", "updated_at"),
    "sla_policies": (
        "id",
        "project_id",
        "priority",
        "first_response_minutes",
        "resolution_minutes",
        "created_at",
        "updated_at",
    ),
    "tickets": (
        "id",
        "project_id",
        "year",
        "number",
        "ticket_number",
        "subject",
        "description",
        "status",
        "priority",
        "source",
        "customer_id",
        "customer_name",
        "customer_email",
        "customer_phone",
        "external_customer_id",
        "creator_id",
        "assignee_id",
        "category_id",
        "department_id",
        "product_id",
        "metadata",
        "custom_fields",
        "is_locked",
        "sla_policy_id",
        "first_response_due_at",
        "resolution_due_at",
        "first_responded_at",
        "first_response_breached_at",
        "resolution_breached_at",
        "sla_started_at",
        "sla_paused_at",
        "sla_paused_seconds",
        "last_reply_at",
        "last_reply_by",
        "last_activity_at",
        "resolved_at",
        "closed_at",
        "version",
        "created_at",
        "updated_at",
    ),
    "messages": (
        "id",
        "ticket_id",
        "body",
        "type",
        "author_id",
        "sender_type",
        "is_first_response",
        "created_at",
        "updated_at",
    ),
    "activities": ("id", "ticket_id", "user_id", "action", "description", "changes", "created_at"),
    "ticket_tags": ("ticket_id", "tag_id"),
    "ratings": ("id", "ticket_id", "user_id", "score", "comment", "created_at"),
}

# The tables whose ids the plan assigns (each continues after the database's highest).
ID_TABLES = tuple(table for table, columns in COLUMNS.items() if columns[0] == "id")


@dataclass(frozen=True, slots=True)
class Existing:
    """What the database already holds that the demo data must continue or reuse."""

    max_ids: dict[str, int] = field(default_factory=dict)
    # The highest n of the demo addresses admin{n}@, agent{n}@ and customer{n}@ in use.
    user_numbers: dict[str, int] = field(default_factory=dict)
    slugs: frozenset[str] = frozenset()
    prefixes: frozenset[str] = frozenset()
    # Reference rows reused by name rather than created twice: name -> id.
    tags: dict[str, int] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)
    departments: dict[str, int] = field(default_factory=dict)
    products: dict[str, int] = field(default_factory=dict)
    # The global SLA policies: priority -> (id, first response minutes, resolution minutes).
    global_sla: dict[Priority, tuple[int, int, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DemoPlan:
    """What to generate: how many tickets and projects, from which seed, up to when."""

    tickets: int
    projects: int
    seed: int
    now: datetime
    password_hash: str
    # PostgreSQL's COPY takes JSON columns as text; SQLAlchemy (SQLite) takes the objects.
    json_as_text: bool = False
    chunk_size: int = DEFAULT_CHUNK_SIZE

    def __post_init__(self) -> None:
        if self.tickets < 0 or self.projects < 1 or self.chunk_size < 1:
            raise ValueError("a demo needs tickets >= 0, projects >= 1 and chunk_size >= 1")
        if self.now.tzinfo is None:
            raise ValueError("the plan's now must be timezone-aware")

    @property
    def customers(self) -> int:
        return max(5, self.tickets // 20)

    @property
    def agents(self) -> int:
        return max(1, (self.projects + 1) // 2)

    @property
    def admins(self) -> int:
        return 2


@dataclass(slots=True)
class Batch:
    """Rows to write in one transaction, table by table in ``COLUMNS`` order."""

    rows: dict[str, list[Row]]
    # (project id, year) -> the last ticket number used, for ticket_counters.
    counters: dict[tuple[int, int], int] = field(default_factory=dict)
    tickets: int = 0


@dataclass(frozen=True, slots=True)
class _Customer:
    id: int
    name: str
    email: str
    phone: str | None
    greeting: str


@dataclass(frozen=True, slots=True)
class Setup:
    """The reference rows, and what the tickets are drawn from."""

    batch: Batch
    project_ids: tuple[int, ...]
    prefixes: tuple[str, ...]
    project_weights: tuple[float, ...]
    project_agents: tuple[tuple[int, ...], ...]
    admins: tuple[int, ...]
    staff_names: dict[int, str]
    customers: tuple[_Customer, ...]
    # Per project, per priority (PRIORITIES order): (first response s, resolution s, policy).
    targets: tuple[tuple[tuple[int, int, int | None], ...], ...]
    category_ids: tuple[int, ...]
    department_ids: tuple[int, ...]
    product_ids: tuple[int, ...]
    tag_ids: tuple[int, ...]
    emails: dict[str, list[str]]  # role -> the demo addresses created, in order


STATUSES = tuple(TicketStatus)
PRIORITIES = (Priority.LOW, Priority.MEDIUM, Priority.HIGH, Priority.CRITICAL)
_PRIORITY_WEIGHTS = (30, 42, 20, 8)

# Status by the ticket's age: most recent tickets are still being worked, most old ones
# are closed, and a tail of old ones never got finished.
_FRESH_STATUS = (35, 25, 5, 15, 15, 5)  # younger than 2 days
_RECENT_STATUS = (8, 12, 8, 12, 25, 35)  # younger than 30 days
_OLD_STATUS = (1.5, 2, 2.5, 3, 6, 85)
# The share of unassigned tickets per status (~30% overall with the weights above).
_UNASSIGNED = {
    TicketStatus.OPEN: 0.9,
    TicketStatus.IN_PROGRESS: 0.0,
    TicketStatus.ON_HOLD: 0.2,
    TicketStatus.PENDING_CUSTOMER: 0.2,
    TicketStatus.RESOLVED: 0.3,
    TicketStatus.CLOSED: 0.35,
}

MINUTE = 60
HOUR = 3600
DAY = 86_400
# A breach is flagged by the worker's check, which runs every minute.
_BREACH_NOTICED = 30.0

_FIRST_NAMES = (
    "Amara", "Ben", "Chen", "Dana", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kofi", "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tunde",
    "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe", "Aisha", "Bruno", "Camille", "Dmitri",
    "Esther", "Felix", "Gita", "Hugo", "Ivy", "Jamal", "Keiko", "Liam", "Mei", "Nico",
)  # fmt: skip
_LAST_NAMES = (
    "Adeyemi", "Becker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad",
    "Ivanova", "Jensen", "Kim", "Lopez", "Moreau", "Nakamura", "Okafor", "Patel", "Quispe",
    "Rossi", "Schmidt", "Tanaka", "Usman", "Varga", "Weber", "Xu", "Yilmaz", "Zhang",
    "Andersson", "Bianchi", "Chowdhury", "Dlamini", "Evans", "Ferreira", "Gonzalez", "Hughes",
)  # fmt: skip
_COMPANIES = (
    "Brightside Bakery", "Copperleaf Consulting", "Delta Dental Group", "Fernhill Farms",
    "Glasshouse Design", "Hillcrest Hotels", "Kestrel Engineering", "Lakeshore Library",
    "Meridian Marketing", "Oakridge Accounting", "Riverside Clinic", "Sunbeam Solar",
)  # fmt: skip
_PROJECT_NAMES = (
    "Acme Cloud", "Brightpath Learning", "Cedar Health", "Driftwood Apps", "Evergreen Energy",
    "Foxglove Finance", "Granite Logistics", "Harbor Insurance", "Ironclad Security",
    "Juniper Travel", "Keystone Realty", "Lumen Analytics", "Maple Retail", "Northwind Foods",
    "Orchid Media", "Pinecone Games", "Quartz Payments", "Redwood Legal", "Summit Fitness",
    "Tidewater Marine", "Umbra Studios", "Vertex Telecom", "Willow Pets", "Xenon Labs",
    "Yellowstone Outdoor", "Zephyr Airlines", "Atlas Robotics", "Beacon Schools",
    "Cobalt Hosting", "Delta Freight", "Ember Coffee", "Falcon Drones", "Gazelle Shoes",
    "Helix Biotech", "Indigo Fashion", "Jade Jewelry", "Kite Payroll", "Lotus Wellness",
    "Mosaic CRM", "Nimbus Storage",
)  # fmt: skip
_TIMEZONES = (
    "UTC", "Europe/London", "America/New_York", "Europe/Berlin", "Asia/Tokyo",
    "America/Los_Angeles", "Australia/Sydney", "Asia/Kolkata",
)  # fmt: skip
_LOCALES = ("en", "en", "en", "de", "fr", "es", "pt", "ja")
_DEPARTMENTS = (
    ("Technical Support", "Bugs, errors and anything that does not work."),
    ("Billing", "Invoices, refunds, plans and payment methods."),
    ("Customer Success", "Onboarding, training and account reviews."),
    ("Sales", "Quotes, upgrades and new licences."),
)
_CATEGORIES = (
    ("Bug Report", "#d73a4a"),
    ("Billing & Payments", "#0e8a16"),
    ("Account & Login", "#1d76db"),
    ("Feature Request", "#a2eeef"),
    ("How-to Question", "#fbca04"),
    ("Integrations & API", "#5319e7"),
    ("Performance", "#f9a825"),
)
_PRODUCTS = (
    ("Web App", "The browser application."),
    ("iOS App", "The iPhone and iPad application."),
    ("Android App", "The Android application."),
    ("Public API", "The REST API and its webhooks."),
    ("Desktop Client", "The Windows and macOS client."),
)
_TAGS = (
    ("bug", "#d73a4a"), ("billing", "#0e8a16"), ("login", "#1d76db"), ("mobile", "#c5def5"),
    ("performance", "#f9a825"), ("refund", "#b60205"), ("feature-request", "#a2eeef"),
    ("integration", "#5319e7"), ("security", "#000000"), ("onboarding", "#bfd4f2"),
    ("documentation", "#0075ca"), ("outage", "#e11d21"), ("vip", "#fef2c0"),
    ("data-export", "#c2e0c6"), ("email", "#d4c5f9"),
)  # fmt: skip
# A quarter of the projects (the busiest) pay for faster targets than the global ones.
_PREMIUM_TARGETS = {
    Priority.CRITICAL: (10, 90),
    Priority.HIGH: (30, 360),
    Priority.MEDIUM: (120, 960),
    Priority.LOW: (480, 2880),
}

_SUBJECTS = (
    "Cannot log in after resetting my password",
    "Invoice shows the wrong amount",
    "App crashes when I open the settings page",
    "How do I export my data to CSV?",
    "Two-factor codes are not accepted",
    "Charged twice for the same month",
    "Webhook deliveries are failing with 500",
    "Dashboard takes a minute to load",
    "Please add dark mode",
    "Cannot upload photos larger than 5 MB",
    "Password reset e-mail never arrives",
    "Refund request for an unused licence",
    "Sync stopped working on Android",
    "API returns 429 although we are under the limit",
    "How do I add a colleague to our account?",
    "Search does not find older records",
    "Notifications arrive twice",
    "Cannot change the billing address",
    "Report totals do not match the export",
    "The iOS app logs me out every day",
    "Question about the enterprise plan",
    "Import fails with an encoding error",
    "Calendar shows events in the wrong timezone",
    "Account locked after too many attempts",
    "Feature request: bulk edit",
    "SSO login redirects in a loop",
    "PDF invoices are blank",
    "Cannot cancel my subscription",
    "Integration with Slack stopped posting",
    "Page is very slow on mobile",
    "Duplicate entries after the last update",
    "How do I change my plan?",
    "Attachments cannot be downloaded",
    "Error 'session expired' while typing",
    "Data missing after migration",
    "Need a copy of last year's invoices",
)
_DESCRIPTIONS = (
    "Since this morning I get an error whenever I try this. I cleared the cache and tried "
    "another browser, with the same result.",
    "This worked fine last week. Nothing changed on our side as far as I know. Could you "
    "have a look? It is blocking our team.",
    "Steps to reproduce: open the page, click the button, wait a few seconds. The spinner "
    "keeps turning and nothing happens.",
    "I attached a screenshot of what I see. The numbers should be the same as in the "
    "export but they are not.",
    "We have about 40 users on our account and several of them report the same problem.",
    "Could you tell me how to do this? I looked in the documentation but could not find it.",
    "It happens on my phone (latest version of the app) but not on the desktop.",
    "Our finance team needs this sorted before the end of the month. Thank you!",
    "I tried the workaround from the help centre but it did not help.",
    "The error message says 'something went wrong, please try again later'.",
    "Is this a known issue? A colleague in another office sees it too.",
    "We would love to see this in the product. Happy to give more details on our use case.",
)
_CUSTOMER_FOLLOW_UPS = (
    "Any update on this? It is still happening.",
    "Just checking in: is there any news?",
    "I found some more details: it only happens when I am on the office network.",
    "Adding a colleague's observation: the same thing happens on their account.",
    "This is becoming urgent for us, could someone please take a look?",
)
_CUSTOMER_REPLIES = (
    "Thanks, I tried that. It works now on desktop but not yet on mobile.",
    "Here is the information you asked for. Let me know if you need anything else.",
    "I did as you said, but the problem is still there.",
    "That fixed it, thank you very much!",
    "Thanks for the quick answer. One more question: does this also apply to our sub-accounts?",
    "Sorry for the late reply. Yes, it happens every time.",
)
_STAFF_REPLIES = (
    "thanks for reaching out. Could you tell us which version of the app you are using?",
    "sorry for the trouble. We have reproduced the issue and our engineers are on it.",
    "could you try logging out and back in? That refreshes the session and usually helps.",
    "thanks for the details. I have checked your account and corrected the setting.",
    "this is a known issue that we fixed in today's release. Please update and try again.",
    "I have forwarded this to our billing team; you will get a corrected invoice shortly.",
    "you can do this under Settings > Account > Export. Let me know if you get stuck.",
)
_STAFF_RESOLUTIONS = (
    "the fix is live now. I am marking this as resolved; just reply if it comes back.",
    "the refund has been issued and should show on your statement within 5 working days.",
    "glad we could sort this out. I will close the ticket, feel free to reopen it anytime.",
    "I have applied the change to your account. Everything should work as expected now.",
)
_NOTES = (
    "Reproduced on staging. Filed an engineering issue.",
    "Customer is on the legacy plan; check with billing before refunding.",
    "Escalated to the second line, waiting on their analysis.",
    "Same root cause as last week's sync incident.",
    "Waiting on the vendor's fix, ETA end of next week.",
    "VIP account: keep the account manager in the loop.",
)
_RATING_COMMENTS = (
    "Quick and friendly, thank you!",
    "Solved my problem on the first reply.",
    "Took a while, but in the end it was fixed.",
    "Great support as always.",
    None,
    None,
    None,
)
_RATING_SCORES = (5, 4, 3, 2, 1)
_RATING_WEIGHTS = (52, 25, 11, 6, 6)


class _Ids:
    """The next id of each table, after the database's highest."""

    def __init__(self, max_ids: dict[str, int]) -> None:
        self._last = {table: max_ids.get(table, 0) for table in ID_TABLES}

    def take(self, table: str) -> int:
        self._last[table] += 1
        return self._last[table]

    def last(self, table: str) -> int:
        return self._last[table]


def _empty_rows() -> dict[str, list[Row]]:
    return {table: [] for table in COLUMNS}


def _json(plan: DemoPlan, value: Any) -> Any:
    return json.dumps(value) if plan.json_as_text else value


def history_start(plan: DemoPlan) -> datetime:
    """When the demo's history begins (UTC, as ticket years are counted)."""
    return plan.now.astimezone(UTC) - timedelta(days=HISTORY_DAYS)


# ====================================================================== reference data


def plan_setup(plan: DemoPlan, existing: Existing) -> Setup:
    """The staff, customers, projects and catalogue the tickets will point at."""
    rng = random.Random(f"supportdesk-demo:{plan.seed}:setup")  # noqa: S311 (demo data)
    ids = _Ids(existing.max_ids)
    rows = _empty_rows()
    start = history_start(plan)
    empty = _json(plan, {})
    emails: dict[str, list[str]] = {"admin": [], "agent": [], "customer": []}
    staff_names: dict[int, str] = {}

    def person() -> str:
        return f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"

    def add_user(kind: str, role: Role, name: str, created: datetime, **extra: Any) -> int:
        number = existing.user_numbers.get(kind, 0) + len(emails[kind]) + 1
        email = f"{kind}{number}@{DEMO_DOMAIN}"
        emails[kind].append(email)
        user_id = ids.take("users")
        last_login = plan.now - timedelta(seconds=rng.uniform(HOUR, 60 * DAY))
        rows["users"].append(
            (
                user_id,
                name,
                email,
                plan.password_hash,
                role.value,
                extra.get("phone"),
                extra.get("company"),
                rng.choice(_LOCALES),
                rng.choice(_TIMEZONES),
                empty,
                empty,
                True,
                last_login if rng.random() < 0.7 else None,
                created,
                created,
            )
        )
        return user_id

    staff_since = start - timedelta(days=90)
    admins = []
    for _ in range(plan.admins):
        name = person()
        admin_id = add_user("admin", Role.ADMIN, name, staff_since)
        admins.append(admin_id)
        staff_names[admin_id] = name
    agents = []
    for _ in range(plan.agents):
        name = person()
        agent_id = add_user(
            "agent", Role.AGENT, name, staff_since + timedelta(days=rng.uniform(0, 60))
        )
        agents.append(agent_id)
        staff_names[agent_id] = name
    customers = []
    for _ in range(plan.customers):
        name = person()
        phone = (
            f"+1 555 {rng.randrange(100, 1000)} {rng.randrange(1000, 10000)}"
            if rng.random() < 0.4
            else None
        )
        company = rng.choice(_COMPANIES) if rng.random() < 0.3 else None
        since = start - timedelta(days=rng.uniform(0, 365))
        customer_id = add_user("customer", Role.CUSTOMER, name, since, phone=phone, company=company)
        customers.append(
            _Customer(customer_id, name, emails["customer"][-1], phone, f"Hi {name.split()[0]},")
        )

    project_ids, prefixes = _projects(plan, existing, rng, ids, rows, start)
    project_agents = _project_agents(rng, rows, project_ids, agents, start)
    department_ids = _reuse_or_create(
        rows["departments"],
        existing.departments,
        ids,
        "departments",
        [
            (name, description, f"{slug_base(name)}@{DEMO_DOMAIN}", False, "published", order)
            for order, (name, description) in enumerate(_DEPARTMENTS)
        ],
        start,
    )
    for agent_id in agents:
        for department_id in rng.sample(department_ids, k=rng.randint(1, 2)):
            rows["department_agents"].append((department_id, agent_id))
    category_ids = _reuse_or_create(
        rows["categories"],
        existing.categories,
        ids,
        "categories",
        [
            (name, None, color, "published", order)
            for order, (name, color) in enumerate(_CATEGORIES)
        ],
        start,
    )
    product_ids = _reuse_or_create(
        rows["products"],
        existing.products,
        ids,
        "products",
        [(name, description, "published") for name, description in _PRODUCTS],
        start,
    )
    tag_ids = _reuse_or_create(
        rows["tags"],
        existing.tags,
        ids,
        "tags",
        [(name, color, "published", order) for order, (name, color) in enumerate(_TAGS)],
        start,
    )
    targets = _sla(plan, existing, ids, rows, project_ids, start)
    weights = tuple(1 / (rank + 1) ** 1.2 for rank in range(len(project_ids)))
    return Setup(
        batch=Batch(rows=rows),
        project_ids=tuple(project_ids),
        prefixes=tuple(prefixes),
        project_weights=weights,
        project_agents=project_agents,
        admins=tuple(admins),
        staff_names=staff_names,
        customers=tuple(customers),
        targets=targets,
        category_ids=tuple(category_ids),
        department_ids=tuple(department_ids),
        product_ids=tuple(product_ids),
        tag_ids=tuple(tag_ids),
        emails=emails,
    )


def _projects(
    plan: DemoPlan,
    existing: Existing,
    rng: random.Random,
    ids: _Ids,
    rows: dict[str, list[Row]],
    start: datetime,
) -> tuple[list[int], list[str]]:
    """New projects, with slugs and ticket prefixes as ProjectService would choose them."""
    slugs, taken_prefixes = set(existing.slugs), set(existing.prefixes)
    names = list(_PROJECT_NAMES)
    rng.shuffle(names)
    project_ids, prefixes = [], []
    empty = _json(plan, {})
    for index in range(plan.projects):
        name = names[index % len(names)]
        if index >= len(names):
            name = f"{name} {index // len(names) + 1}"
        slug = unique_slug(slug_base(name), slugs)
        prefix = next(c for c in prefix_candidates(name) if c not in taken_prefixes)
        slugs.add(slug)
        taken_prefixes.add(prefix)
        project_id = ids.take("projects")
        created = start - timedelta(days=rng.uniform(30, 120))
        rows["projects"].append(
            (
                project_id,
                name,
                slug,
                prefix,
                f"Customer support for {name}.",
                f"support@{slug}.{DEMO_DOMAIN}",
                f"https://{slug}.example.com",
                rng.choice(_TIMEZONES),
                empty,
                True,
                created,
                created,
            )
        )
        project_ids.append(project_id)
        prefixes.append(prefix)
    return project_ids, prefixes


def _project_agents(
    rng: random.Random,
    rows: dict[str, list[Row]],
    project_ids: Sequence[int],
    agents: Sequence[int],
    start: datetime,
) -> tuple[tuple[int, ...], ...]:
    """Each agent works in 2 to 4 projects; every project has at least one agent (its lead)."""
    members: list[list[int]] = [[] for _ in project_ids]
    for index in range(len(project_ids)):
        members[index].append(agents[index % len(agents)])
    for agent_id in agents:
        have = [index for index, users in enumerate(members) if agent_id in users]
        want = min(len(project_ids), rng.randint(2, 4))
        others = [index for index in range(len(project_ids)) if index not in have]
        for index in rng.sample(others, k=max(0, min(len(others), want - len(have)))):
            members[index].append(agent_id)
    for index, users in enumerate(members):
        for position, user_id in enumerate(users):
            joined = start - timedelta(days=rng.uniform(0, 30))
            rows["project_agents"].append((project_ids[index], user_id, position == 0, joined))
    return tuple(tuple(users) for users in members)


def _reuse_or_create(
    rows: list[Row],
    existing: dict[str, int],
    ids: _Ids,
    table: str,
    wanted: Sequence[tuple[Any, ...]],
    created: datetime,
) -> list[int]:
    """The ids of the named rows (the first value is the name), created where missing."""
    found = []
    for values in wanted:
        row_id = existing.get(values[0])
        if row_id is None:
            row_id = ids.take(table)
            rows.append((row_id, *values, created, created))
        found.append(row_id)
    return found


def _sla(
    plan: DemoPlan,
    existing: Existing,
    ids: _Ids,
    rows: dict[str, list[Row]],
    project_ids: Sequence[int],
    start: datetime,
) -> tuple[tuple[tuple[int, int, int | None], ...], ...]:
    """The targets each project's tickets get, as SlaService.targets would find them."""
    premium = max(1, len(project_ids) // 4)
    targets = []
    for index, project_id in enumerate(project_ids):
        per_priority: list[tuple[int, int, int | None]] = []
        for priority in PRIORITIES:
            if index < premium:
                first, resolution = _PREMIUM_TARGETS[priority]
                policy_id: int | None = ids.take("sla_policies")
                rows["sla_policies"].append(
                    (policy_id, project_id, priority.value, first, resolution, start, start)
                )
            elif priority in existing.global_sla:
                policy_id, first, resolution = existing.global_sla[priority]
            else:
                default = DEFAULT_TARGETS[priority]
                policy_id = None
                first, resolution = default.first_response_minutes, default.resolution_minutes
            per_priority.append((first * MINUTE, resolution * MINUTE, policy_id))
        targets.append(tuple(per_priority))
    return tuple(targets)


# ====================================================================== tickets

# What a message in a ticket's timeline is; its body is drawn from the matching texts.
_FOLLOW_UP, _CUSTOMER_REPLY, _STAFF_REPLY, _RESOLUTION, _NOTE = range(5)

_OPEN, _IN_PROGRESS, _ON_HOLD, _PENDING, _RESOLVED, _CLOSED = (
    TicketStatus.OPEN,
    TicketStatus.IN_PROGRESS,
    TicketStatus.ON_HOLD,
    TicketStatus.PENDING_CUSTOMER,
    TicketStatus.RESOLVED,
    TicketStatus.CLOSED,
)
# Plain strings, as the columns store them (an enum's .value costs a call per row).
_REPLY, _NOTE_TYPE = MessageType.REPLY.value, MessageType.NOTE.value
_BY_STAFF, _BY_CUSTOMER = SenderType.STAFF.value, SenderType.CUSTOMER.value
_SOURCES = (TicketSource.PORTAL.value, TicketSource.EMAIL.value, TicketSource.API.value)
_API = TicketSource.API.value
_TAG_SETS = 512  # tag combinations drawn once, then picked per ticket
# The cheapest way from seconds to an aware datetime (a timedelta costs twice as much).
_from_timestamp = datetime.fromtimestamp


def _cumulative(weights: Sequence[float]) -> list[float]:
    total = sum(weights)
    running = list(itertools.accumulate(weight / total for weight in weights))
    running[-1] = 1.0
    return running


@dataclass(frozen=True, slots=True)
class _Texts:
    """Column values drawn per row, prepared once (JSON encoded as the writer wants)."""

    empty: Any
    api_metadata: Any
    status_changes: dict[tuple[TicketStatus, TicketStatus], tuple[str, Any]]
    assignments: dict[int, tuple[str, Any]]
    ratings: dict[int, tuple[str, Any]]


def _texts(plan: DemoPlan, setup: Setup) -> _Texts:
    return _Texts(
        empty=_json(plan, {}),
        api_metadata=_json(plan, {"channel": "api", "client": "supportdesk-php"}),
        status_changes={
            (old, new): (
                f"Status changed from {old} to {new}",
                _json(plan, {"status": [str(old), str(new)]}),
            )
            for old in STATUSES
            for new in STATUSES
            if old != new
        },
        assignments={
            user_id: (f"Assigned to {name}", _json(plan, {"assignee_id": [None, user_id]}))
            for user_id, name in setup.staff_names.items()
        },
        ratings={
            score: (f"Rated {score}/5", _json(plan, {"score": [None, score]}))
            for score in _RATING_SCORES
        },
    )


def ticket_batches(plan: DemoPlan, setup: Setup, existing: Existing) -> Iterator[Batch]:
    """The tickets of the plan and everything they carry, ``plan.chunk_size`` at a time.

    Tickets are opened one after another over the last HISTORY_DAYS (a little more of
    them lately), spread over the projects (a few big ones), and numbered per project
    and year in that order; each batch says the last number it used per (project, year).
    """
    rng = random.Random(f"supportdesk-demo:{plan.seed}:tickets")  # noqa: S311 (demo data)
    maker = _TicketMaker(plan, setup, rng, existing)
    start = history_start(plan)
    span = float(HISTORY_DAYS * DAY)
    spread = span - 600.0  # the last ticket is opened at least ten minutes before now
    total = plan.tickets
    project_ids = setup.project_ids
    project_cum = list(itertools.accumulate(setup.project_weights))
    projects = range(len(project_ids))
    numbers = [0] * len(project_ids)
    year = start.year
    start_ts = start.timestamp()
    random_ = rng.random
    for first in range(0, total, plan.chunk_size):
        count = min(plan.chunk_size, total - first)
        batch = Batch(rows=_empty_rows(), tickets=count)
        counters = batch.counters
        maker.begin(batch)
        draws = rng.choices(projects, cum_weights=project_cum, k=count)
        for index in range(first, first + count):
            created = spread * ((index + random_()) / total) ** 0.8
            opened = _from_timestamp(start_ts + created, UTC)
            if opened.year != year:  # a new year: every project numbers from 1 again
                year = opened.year
                numbers = [0] * len(project_ids)
            project = draws[index - first]
            number = numbers[project] = numbers[project] + 1
            # The newest dozen tickets go through every status and priority.
            maker.ticket(
                project, year, number, opened, created, span - created, index - (total - 12)
            )
            counters[(project_ids[project], year)] = number
        maker.end()
        yield batch


class _TicketMaker:
    """Makes one ticket's rows: the ticket, its conversation, its trail, tags and rating."""

    def __init__(
        self, plan: DemoPlan, setup: Setup, rng: random.Random, existing: Existing
    ) -> None:
        self.setup = setup
        self.texts = _texts(plan, setup)
        self.rng = rng
        self.start_ts = history_start(plan).timestamp()
        ids = _Ids(existing.max_ids)
        self.next_ticket = ids.last("tickets") + 1
        self.next_message = ids.last("messages") + 1
        self.next_activity = ids.last("activities") + 1
        self.next_rating = ids.last("ratings") + 1
        self.fresh = _cumulative(_FRESH_STATUS)
        self.recent = _cumulative(_RECENT_STATUS)
        self.old = _cumulative(_OLD_STATUS)
        self.priority_cum = _cumulative(_PRIORITY_WEIGHTS)
        self.rating_cum = _cumulative(_RATING_WEIGHTS)
        self.tag_sets = [
            tuple(rng.sample(setup.tag_ids, k=1 + int(rng.random() * 2.2)))
            for _ in range(_TAG_SETS)
        ]
        self.rows = _empty_rows()

    def begin(self, batch: Batch) -> None:
        self.rows = batch.rows

    def end(self) -> None:
        self.rows = _empty_rows()

    def _staff(self, project: int) -> int:
        """Someone who may work on the project's tickets: mostly its agents, else an admin."""
        rnd = self.rng.random
        if rnd() < 0.88:
            agents = self.setup.project_agents[project]
            return agents[int(rnd() * len(agents))]
        admins = self.setup.admins
        return admins[int(rnd() * len(admins))]

    def ticket(
        self,
        project: int,
        year: int,
        number: int,
        opened: datetime,
        created: float,
        age: float,
        forced: int,
    ) -> None:
        """One ticket ``opened`` ``created`` seconds into the history, ``age`` seconds ago.

        ``forced`` >= 0 picks its status and priority (by position) instead of chance.
        """
        setup, texts = self.setup, self.texts
        rnd = self.rng.random
        ticket_id = self.next_ticket
        self.next_ticket += 1
        ticket_number = f"{setup.prefixes[project]}-{year}-{number:05d}"

        if forced >= 0:
            status = STATUSES[forced % len(STATUSES)]
            priority_index = forced % len(PRIORITIES)
        else:
            cum = self.fresh if age < 2 * DAY else self.recent if age < 30 * DAY else self.old
            status = STATUSES[bisect_right(cum, rnd())]
            priority_index = bisect_right(self.priority_cum, rnd())
        first_target, resolution_target, policy_id = setup.targets[project][priority_index]

        customers = setup.customers
        customer = customers[int(rnd() * len(customers))]
        x = rnd()
        source = _SOURCES[0 if x < 0.6 else 1 if x < 0.85 else 2]
        # Staff open some tickets for a customer (by phone, say); projects never do.
        creator = self._staff(project) if source != _API and rnd() < 0.15 else customer.id
        assignee = None if rnd() < _UNASSIGNED[status] else self._staff(project)
        replier = assignee if assignee is not None else self._staff(project)
        # Whoever assigned it: the agent taking it, or an admin handing it out.
        admins = setup.admins
        assigner = (
            assignee if assignee is not None and rnd() < 0.5 else admins[int(rnd() * len(admins))]
        )

        # ---- the timeline, in seconds after creation
        first = first_target * (0.05 + 1.45 * rnd() ** 2)  # the first staff reply, if any
        assigned = first * (0.1 + 0.8 * rnd()) if assignee is not None else None
        timeline: list[tuple[float, int]] = []
        previous: TicketStatus | None = None
        changed: float | None = None  # when the ticket took its current status
        actor = replier  # who gave it that status
        paused = 0.0  # seconds the resolution clock was paused, before any current pause
        paused_at: float | None = None
        resolved: float | None = None
        closed: float | None = None
        answered = True
        reopened = False  # the customer's last answer reopened it (it was pending)

        def exchanges(at: float, pairs: int, *, pausing: bool = True) -> float:
            """Customer answers, each followed by a staff reply; returns the last time.

            Mostly the reply before an answer had set the ticket pending: the answer
            reopened it and resumed the resolution clock.
            """
            nonlocal paused, reopened
            for _ in range(pairs):
                wait = HOUR + rnd() * 2 * DAY
                reopened = pausing and rnd() < 0.8
                if reopened:
                    paused += wait
                at += wait
                timeline.append((at, _CUSTOMER_REPLY))
                at += first_target * (0.2 + rnd())
                timeline.append((at, _STAFF_REPLY))
            return at

        if status is _OPEN:
            if assignee is not None:  # answered, then reopened by the customer's answer
                timeline.append((first, _STAFF_REPLY))
                paused = HOUR + rnd() * 3 * DAY
                changed = first + paused
                timeline.append((changed, _CUSTOMER_REPLY))
                previous, actor = _PENDING, customer.id
            else:
                answered = False
                at = 0.0
                for _ in range(int(rnd() * 2.6)):
                    at += HOUR + rnd() * 2 * DAY
                    timeline.append((at, _FOLLOW_UP))
        elif status is _IN_PROGRESS:
            previous, changed = _OPEN, assigned  # assigning an open ticket starts it
            actor = assigner
            if rnd() < 0.75:
                timeline.append((first, _STAFF_REPLY))
                if rnd() < 0.5:
                    exchanges(first, 1, pausing=False)
                    if rnd() < 0.5:
                        timeline.pop()  # the customer had the last word
            else:
                answered = False
                timeline.append((first, _FOLLOW_UP))
        elif status is _ON_HOLD or status is _PENDING:
            timeline.append((first, _STAFF_REPLY))
            at = exchanges(first, 1 if rnd() < 0.35 else 0)
            previous = _IN_PROGRESS if assignee is not None and not reopened else _OPEN
            if status is _ON_HOLD:
                at += HOUR + rnd() * DAY
                timeline.append((at, _NOTE))
            changed = paused_at = at
        else:  # resolved, or closed
            direct_close = status is _CLOSED and rnd() < 0.15
            if direct_close and rnd() < 0.3:
                answered = False  # a duplicate or spam, closed with a note only
                at = first
                timeline.append((at, _NOTE))
            else:
                timeline.append((first, _STAFF_REPLY))
                at = exchanges(first, 0 if rnd() < 0.45 else 1 if rnd() < 0.7 else 2)
                if rnd() < 0.6:  # else the last reply solved it
                    at = max(at + HOUR, paused + resolution_target * (0.1 + 1.3 * rnd() ** 1.5))
                    timeline.append((at, _RESOLUTION))
            previous = _IN_PROGRESS if assignee is not None and not reopened else _OPEN
            resolved = changed = at
            if direct_close:
                closed = at
            elif status is _CLOSED:
                previous = _RESOLVED
                closed = changed = at + HOUR + rnd() * 7 * DAY
                if rnd() < 0.3:
                    actor = customer.id  # closed by the customer
        if answered and rnd() < 0.22:  # an internal note along the way
            end = changed if changed is not None else timeline[-1][0]
            timeline.append((first * 0.5 + (end - first * 0.5) * rnd(), _NOTE))
            timeline.sort()
        rated: float | None = None
        score = 0
        if resolved is not None and answered and rnd() < 0.2:
            rated = resolved + HOUR + rnd() * 3 * DAY
            score = _RATING_SCORES[bisect_right(self.rating_cum, rnd())]

        # ---- a recent ticket's timeline squeezed into the time it has had
        last = max(
            timeline[-1][0] if timeline else 0.0,
            changed or 0.0,
            assigned or 0.0,
            rated or 0.0,
        )
        if last > age * 0.97:
            factor = age * 0.97 / last
            last *= factor
            first *= factor
            paused *= factor
            timeline = [(at * factor, kind) for at, kind in timeline]
            assigned = assigned * factor if assigned is not None else None
            changed = changed * factor if changed is not None else None
            paused_at = paused_at * factor if paused_at is not None else None
            resolved = resolved * factor if resolved is not None else None
            closed = closed * factor if closed is not None else None
            rated = rated * factor if rated is not None else None

        # ---- SLA state, as the services and the worker's check would have left it
        opened_ts = self.start_ts + created

        def at_(offset: float) -> datetime:
            return _from_timestamp(opened_ts + offset, UTC)

        response_end = first if answered else resolved if resolved is not None else age
        resolution_due = resolution_target + paused
        resolution_end = (
            resolved if resolved is not None else paused_at if paused_at is not None else age
        )

        # ---- the conversation
        messages = self.rows["messages"]
        message_id = self.next_message
        last_reply: datetime | None = None
        last_reply_by: str | None = None
        staff_replied = False
        for offset, kind in timeline:
            sent = at_(offset)
            if kind == _NOTE:
                body, message_type, author, sender, first_response = (
                    _NOTES[int(rnd() * len(_NOTES))],
                    _NOTE_TYPE,
                    replier,
                    _BY_STAFF,
                    False,
                )
            else:
                if kind == _FOLLOW_UP:
                    body = _CUSTOMER_FOLLOW_UPS[int(rnd() * len(_CUSTOMER_FOLLOW_UPS))]
                    author, sender, first_response = customer.id, _BY_CUSTOMER, False
                elif kind == _CUSTOMER_REPLY:
                    body = _CUSTOMER_REPLIES[int(rnd() * len(_CUSTOMER_REPLIES))]
                    author, sender, first_response = customer.id, _BY_CUSTOMER, False
                else:
                    replies = _STAFF_REPLIES if kind == _STAFF_REPLY else _STAFF_RESOLUTIONS
                    body = f"{customer.greeting} {replies[int(rnd() * len(replies))]}"
                    author, sender, first_response = replier, _BY_STAFF, not staff_replied
                    staff_replied = True
                message_type = _REPLY
                last_reply, last_reply_by = sent, sender
            messages.append(
                (
                    message_id,
                    ticket_id,
                    body,
                    message_type,
                    author,
                    sender,
                    first_response,
                    sent,
                    sent,
                )
            )
            message_id += 1
        self.next_message = message_id

        # ---- the trail, kept short (about two rows a ticket): its creation, its last
        # status change, its rating, and who it is assigned to while it is being worked.
        activities = self.rows["activities"]
        activity_id = self.next_activity
        activities.append(
            (
                activity_id,
                ticket_id,
                creator,
                "created",
                f"Ticket {ticket_number} created",
                texts.empty,
                opened,
            )
        )
        activity_id += 1
        if assigned is not None and assignee is not None and resolved is None:
            description, changes = texts.assignments[assignee]
            activities.append(
                (activity_id, ticket_id, assigner, "assigned", description, changes, at_(assigned))
            )
            activity_id += 1
        if previous is not None and changed is not None:
            description, changes = texts.status_changes[(previous, status)]
            activities.append(
                (
                    activity_id,
                    ticket_id,
                    actor,
                    "status_changed",
                    description,
                    changes,
                    at_(changed),
                )
            )
            activity_id += 1
        if rated is not None:
            rated_at = at_(rated)
            description, changes = texts.ratings[score]
            activities.append(
                (activity_id, ticket_id, customer.id, "rated", description, changes, rated_at)
            )
            activity_id += 1
            comment = _RATING_COMMENTS[int(rnd() * len(_RATING_COMMENTS))]
            self.rows["ratings"].append(
                (self.next_rating, ticket_id, customer.id, score, comment, rated_at)
            )
            self.next_rating += 1
        updates = activity_id - self.next_activity - 1 + len(timeline)
        self.next_activity = activity_id

        if rnd() < 0.5:
            ticket_tags = self.rows["ticket_tags"]
            for tag_id in self.tag_sets[int(rnd() * _TAG_SETS)]:
                ticket_tags.append((ticket_id, tag_id))

        touched = at_(last)
        categories, departments, products = (
            setup.category_ids,
            setup.department_ids,
            setup.product_ids,
        )
        is_api = source == _API
        self.rows["tickets"].append(
            (
                ticket_id,
                setup.project_ids[project],
                year,
                number,
                ticket_number,
                _SUBJECTS[int(rnd() * len(_SUBJECTS))],
                _DESCRIPTIONS[int(rnd() * len(_DESCRIPTIONS))],
                status.value,
                PRIORITIES[priority_index].value,
                source,
                customer.id,
                customer.name,
                customer.email,
                customer.phone,
                f"ext-{customer.id}" if is_api else None,
                creator,
                assignee,
                categories[int(rnd() * len(categories))] if rnd() < 0.85 else None,
                departments[int(rnd() * len(departments))] if rnd() < 0.7 else None,
                products[int(rnd() * len(products))] if rnd() < 0.6 else None,
                texts.api_metadata if is_api else texts.empty,
                texts.empty,
                status is _CLOSED and rnd() < 0.02,  # is_locked
                policy_id,
                at_(first_target),
                at_(resolution_due),
                at_(first) if answered else None,
                # Flagged by the worker's check, as soon as a clock ran past its due date.
                at_(first_target + _BREACH_NOTICED)
                if response_end > first_target + _BREACH_NOTICED
                else None,
                at_(resolution_due + _BREACH_NOTICED)
                if resolution_end > resolution_due + _BREACH_NOTICED
                else None,
                opened,  # sla_started_at
                at_(paused_at) if paused_at is not None else None,
                int(paused),
                last_reply,
                last_reply_by,
                touched,  # last_activity_at
                at_(resolved) if resolved is not None else None,
                at_(closed) if closed is not None else None,
                1 + updates,  # version: one per change since creation
                opened,
                touched,
            )
        )
