"""The filters routers hand to services and the rows services hand back.

They are defined beside the queries that read them (repositories/); routers name them
from here, so no router depends on a repository module.
"""

from __future__ import annotations

from supportdesk.repositories.agent_dashboard import DashboardCounts
from supportdesk.repositories.agents import AgentFilters
from supportdesk.repositories.canned_responses import CannedResponseFilters
from supportdesk.repositories.message_likes import Likes
from supportdesk.repositories.projects import ProjectFilters, ProjectRow
from supportdesk.repositories.reports import Bucket
from supportdesk.repositories.rest_lists import ArticleFilters, CustomerFilters, MessageFilters
from supportdesk.repositories.users import UserFilters

__all__ = [
    "AgentFilters",
    "ArticleFilters",
    "Bucket",
    "CannedResponseFilters",
    "CustomerFilters",
    "DashboardCounts",
    "Likes",
    "MessageFilters",
    "ProjectFilters",
    "ProjectRow",
    "UserFilters",
]
