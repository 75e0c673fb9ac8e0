"""Every room's tables in one import, so Alembic and `create_all` see the whole schema."""

from firstcontact.contacts import tables as contacts_tables
from firstcontact.demand import tables as demand_tables
from firstcontact.harm import tables as harm_tables
from firstcontact.missing import tables as missing_tables
from firstcontact.people import tables as people_tables
from firstcontact.platform import audit, auth, deadlines
from firstcontact.quality import tables as quality_tables
from firstcontact.risk import tables as risk_tables
from firstcontact.victims import tables as victims_tables

__all__ = ["audit", "auth", "contacts_tables", "deadlines", "demand_tables", "harm_tables",
           "missing_tables", "people_tables", "quality_tables", "risk_tables",
           "victims_tables"]
