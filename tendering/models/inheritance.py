"""What a follow-up case inherits from the case it follows up.

An indicator belongs to an agreement, and a new case has none yet. So a follow-up case carries *indicator drafts*:
per inherited outcome, the earlier agreement's indicator (name, definition, unit, direction, data source) with the
last value in force as its new baseline (0-meting), the date it was measured for and where it came from, plus the
earlier target as a reference. They are the municipality's starting point, editable like the rest of the
articulation, and the next agreement takes them over as its indicators (`question.follow_up.indicator_fields`),
when municipality and coalition set the targets and norms together.
"""

from datetime import date, datetime

from sqlalchemy import Enum as SAEnum
from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow
from .monitoring import Direction


class IndicatorDraft(SQLModel, table=True):
    __tablename__ = "indicator_drafts"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    outcome_id: int | None = Field(default=None, foreign_key="outcomes.id", index=True)
    source_indicator_id: int | None = Field(default=None, foreign_key="indicators.id")
    name: str = Field(max_length=200)
    definition: str = Field(default="", sa_type=Text)
    unit: str = Field(default="", max_length=40)
    direction: Direction = Field(sa_type=SAEnum(Direction, native_enum=False, length=20))
    data_source: str = Field(default="", sa_type=Text)
    baseline_value: float
    baseline_date: date
    baseline_source: str = Field(default="", sa_type=Text)  # e.g. "last value in force of MA-2026-0001, Q3 2026"
    previous_target_value: float | None = None
    previous_target_date: date | None = None
    position: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
