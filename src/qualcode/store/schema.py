"""The data model, in one screen (SQLAlchemy Core; runs on SQLite and PostgreSQL).

Integer keys are for joins; every object people exchange also has a `guid` (REFI-QDA uses
GUIDs, and merging laptops' projects needs ids that never collide). Tables whose rows are
deleted in daily work and whose ids are kept elsewhere (codings, memos, recommendations,
rounds) never reuse an id on SQLite either (AUTOINCREMENT; PostgreSQL sequences never do).
Times are ISO-8601 UTC strings, so they read the same in every database and in the audit log.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

meta = Table(
    "qualcode_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

areas = Table(
    "areas",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("config", JSON, nullable=False, default=dict),
    Column("created_at", String(32), nullable=False),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("guid", String(36), nullable=False, unique=True),
    Column("area_id", Integer, ForeignKey("areas.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("attributes", JSON, nullable=False, default=dict),
    Column("created_at", String(32), nullable=False),
    UniqueConstraint("area_id", "name", name="uq_cases_area_name"),
)

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("guid", String(36), nullable=False, unique=True),
    Column("area_id", Integer, ForeignKey("areas.id"), nullable=False),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=True),
    Column("title", String(500), nullable=False),
    Column("version", Integer, nullable=False),
    Column("previous_id", Integer, ForeignKey("documents.id"), nullable=True),
    Column("is_current", Integer, nullable=False),  # 1 for the newest version of a title
    Column("format", String(16), nullable=False),
    Column("source", Text, nullable=True),  # the file it came from, as given
    Column("sha256", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("length", Integer, nullable=False),  # code points
    Column("words", Integer, nullable=False),
    Column("meta", JSON, nullable=False, default=dict),
    Column("created_at", String(32), nullable=False),
    UniqueConstraint("area_id", "title", "version", name="uq_documents_area_title_version"),
    Index("ix_documents_sha256", "sha256"),
)

units = Table(
    "units",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # sentence | turn | paragraph
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("speaker", String(200), nullable=True),
    Column("role", String(32), nullable=True),
    Column("meta", JSON, nullable=True),
    Index("ix_units_document_kind", "document_id", "kind"),
)

coders = Table(
    "coders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("guid", String(36), nullable=False, unique=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("role", String(32), nullable=False),  # coder | adjudicator | model
    Column("created_at", String(32), nullable=False),
)

codes = Table(
    "codes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("guid", String(36), nullable=False, unique=True),
    Column("parent_id", Integer, ForeignKey("codes.id"), nullable=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("inclusion", Text, nullable=False, default=""),
    Column("exclusion", Text, nullable=False, default=""),
    Column("example", Text, nullable=False, default=""),
    Column("color", String(7), nullable=False),
    Column("shortcut", String(1), nullable=True, unique=True),
    Column("position", Integer, nullable=False, default=0),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
)

codings = Table(
    "codings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("guid", String(36), nullable=False, unique=True),
    Column("document_id", Integer, ForeignKey("documents.id"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("code_id", Integer, ForeignKey("codes.id"), nullable=False),
    Column("coder_id", Integer, ForeignKey("coders.id"), nullable=False),
    Column("memo", Text, nullable=True),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Index("ix_codings_document", "document_id", "coder_id"),
    Index("ix_codings_code", "code_id"),
    sqlite_autoincrement=True,  # ids are never reused (the audit log and quotes name them)
)

memos = Table(
    "memos",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("guid", String(36), nullable=False, unique=True),
    Column("coder_id", Integer, ForeignKey("coders.id"), nullable=False),
    Column("title", String(500), nullable=False),
    Column("text", Text, nullable=False),
    Column("document_id", Integer, ForeignKey("documents.id"), nullable=True),
    Column("code_id", Integer, ForeignKey("codes.id"), nullable=True),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    sqlite_autoincrement=True,
)

RECOMMENDATION_STATUSES = ("open", "accepted", "in progress", "done", "declined")


def recommendation_columns() -> list[Column]:  # type: ignore[type-arg]
    """The recommendations register's columns (schema version 2), fresh for each use: the
    table below and the upgrade from version 1 build the same table from them."""
    return [
        Column("id", Integer, primary_key=True),
        Column("guid", String(36), nullable=False, unique=True),
        Column("area_id", Integer, ForeignKey("areas.id"), nullable=True),  # None: every area
        Column("text", Text, nullable=False),
        Column("codes", JSON, nullable=False, default=list),  # code ids (renames keep ids)
        Column("codings", JSON, nullable=False, default=list),  # coding ids of the quotes
        Column("response", Text, nullable=True),  # the commissioner's response
        Column("status", String(16), nullable=False),  # one of RECOMMENDATION_STATUSES
        Column("created_by", String(200), nullable=False),
        Column("created_at", String(32), nullable=False),
        Column("updated_at", String(32), nullable=False),
    ]


recommendations = Table(
    "recommendations",
    metadata,
    *recommendation_columns(),
    Index("ix_recommendations_area", "area_id"),
    sqlite_autoincrement=True,
)

ROUND_STATUSES = ("open", "closed")


def round_columns() -> list[Column]:  # type: ignore[type-arg]
    """Blind coding rounds' columns (schema version 3), fresh for each use, as above.

    Documents are kept by id of the version the round opened on; a later version of the same
    title (a pseudonymised revision) belongs to the round too. Coders and the lead by name."""
    return [
        Column("id", Integer, primary_key=True),
        Column("guid", String(36), nullable=False, unique=True),
        Column("name", String(200), nullable=False, unique=True),
        Column("lead", String(200), nullable=False),
        Column("coders", JSON, nullable=False, default=list),
        Column("documents", JSON, nullable=False, default=list),
        Column("status", String(16), nullable=False),  # one of ROUND_STATUSES
        Column("note", Text, nullable=True),
        Column("opened_at", String(32), nullable=False),
        Column("closed_at", String(32), nullable=True),
    ]


rounds = Table("rounds", metadata, *round_columns(), sqlite_autoincrement=True)


def done_columns() -> list[Column]:  # type: ignore[type-arg]
    """Done marks' columns (schema version 4), fresh for each use, as above: a coder says
    they have finished a document version. A revision that carries the codings carries the
    marks (`Project.revise`); a changed file ingested again is a new text, not marked."""
    return [
        Column("id", Integer, primary_key=True),
        Column("document_id", Integer, ForeignKey("documents.id"), nullable=False),
        Column("coder_id", Integer, ForeignKey("coders.id"), nullable=False),
        Column("done_at", String(32), nullable=False),
        UniqueConstraint("document_id", "coder_id", name="uq_done_marks_document_coder"),
    ]


done_marks = Table("done_marks", metadata, *done_columns())


def seat_columns() -> list[Column]:  # type: ignore[type-arg]
    """Workshop seats' columns (schema version 5), fresh for each use, as above: who may sign
    in to `qualcode workshop`. Only hashes are kept: of the one-time sign-in code the
    facilitator hands over (cleared once used) and of the session cookie it was traded for."""
    return [
        Column("id", Integer, primary_key=True),
        Column("name", String(200), nullable=False, unique=True),  # the coder they code as
        Column("role", String(16), nullable=False),  # researcher | facilitator
        Column("code_hash", String(200), nullable=True),
        Column("code_issued_at", String(32), nullable=True),
        Column("session_hash", String(64), nullable=True, unique=True),
        Column("signed_in_at", String(32), nullable=True),
        Column("created_at", String(32), nullable=False),
    ]


seats = Table("workshop_seats", metadata, *seat_columns())


audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", String(32), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(32), nullable=False),  # add | update | delete
    Column("object", String(32), nullable=False),  # coding | code | document | ...
    Column("object_id", Integer, nullable=True),
    Column("document_id", Integer, nullable=True),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    Index("ix_audit_object", "object", "object_id"),
    Index("ix_audit_document", "document_id"),
)
