"""Open-data releases, stored when the event they describe happens and never changed afterwards."""

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from .base import UTCDateTime


class OcdsRelease(SQLModel, table=True):
    """One OCDS release of a published case: `body` is the JSON text served, byte for byte, for as long as the
    site runs. `ocid` is the contracting process (a new round of a case is a new one); `stage` and `fingerprint`
    (the SHA-256 of the stage's content without id and date) tell whether the next event changed that stage, so
    that only a change becomes a new release; `documents` counts the question-document versions of a tender
    release, which tells an amendment from an update."""

    __tablename__ = "ocds_releases"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    ocid: str = Field(max_length=120, index=True)
    release_id: str = Field(max_length=200, unique=True, index=True)
    stage: str = Field(max_length=20)
    tag: str = Field(max_length=30)
    date: datetime = Field(sa_type=UTCDateTime)
    fingerprint: str = Field(max_length=64)
    documents: int = 0
    body: str = Field(sa_type=Text)
