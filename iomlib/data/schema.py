"""The data model: one specification per table.

This module is the single source of truth for table names, columns, their kinds and allowed
values. The loader, the validator, the synthetic generator and ``data/README.md`` all follow it.

Kinds
-----
``id``      non-empty text identifier
``text``    free text (may be empty where ``required`` is False)
``int``     whole number
``float``   real number
``date``    calendar date (ISO ``YYYY-MM-DD`` preferred; stored as ``datetime64[ns]``)
``bool``    true/false (accepts true/false, yes/no, 1/0, t/f, y/n)
``category`` text restricted to ``allowed``
"""
from __future__ import annotations

from dataclasses import dataclass, field

COHORTS = ("IOM", "DVIOM", "KNIFE")
REMOVAL_REASONS = ("reduced_risk", "long_custody", "moved_away", "deceased", "other")
SENTENCE_KINDS = ("remand", "short", "long")
SEXES = ("F", "M", "X")
FELT_SAFER = ("yes", "no", "unsure")
LIKERT_ITEMS = ("risk_reduced", "quality_of_life")
LIKERT_RANGE = (1, 5)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool = True          # the column must be present
    nullable: bool = False         # values may be empty
    allowed: tuple | None = None   # for kind == "category"
    min: float | None = None
    max: float | None = None
    description: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: str | None = None         # unique identifier column
    optional: bool = False         # the whole table may be absent
    description: str = ""
    date_order: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (earlier, later)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """The specification of column ``name``.

        Parameters
        ----------
        name : str
            Column name.

        Returns
        -------
        Column
        """
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name!r} has no column {name!r}")


PEOPLE = Table(
    "people",
    (
        Column("person_id", "id", description="Pseudonymous person identifier"),
        Column("birth_year", "int", min=1900, max=2030, description="Year of birth"),
        Column("sex", "category", allowed=SEXES, description="F, M or X"),
        Column("area", "text", description="Local policing area"),
        Column("force", "text", required=False, nullable=True,
               description="Police force (national datasets only)"),
    ),
    key="person_id",
    description="Every offender the force scored, adopted or not (the comparison pool).",
)

EPISODES = Table(
    "episodes",
    (
        Column("episode_id", "id", description="Episode identifier"),
        Column("person_id", "id", description="The nominal (people.person_id)"),
        Column("cohort", "category", allowed=COHORTS, description="IOM, DVIOM or KNIFE"),
        Column("adopted_on", "date", description="Date adopted onto the scheme"),
        Column("removed_on", "date", nullable=True, description="Date removed; empty while open"),
        Column("removal_reason", "category", nullable=True, allowed=REMOVAL_REASONS,
               description="Why removed; empty while open"),
    ),
    key="episode_id",
    description="One row per spell of management; a person may have several.",
    date_order=(("adopted_on", "removed_on"),),
)

OFFENCES = Table(
    "offences",
    (
        Column("offence_id", "id", description="Offence (crime record) identifier"),
        Column("person_id", "id", description="Offender (people.person_id)"),
        Column("offence_date", "date", description="Date the offence was committed"),
        Column("offence_code", "text", description="Home Office / ONS offence code"),
        Column("offence_category", "category", allowed=None,
               description="Offence category; must be a row of the severity table"),
        Column("weapon", "bool", description="Weapon-enabled"),
        Column("domestic", "bool", description="Domestic-abuse flagged"),
        Column("victim_id", "text", nullable=True, description="Victim identifier, may be empty"),
    ),
    key="offence_id",
    description="One row per recorded offence attributed to a known offender.",
)

CUSTODY = Table(
    "custody",
    (
        Column("person_id", "id", description="Person in custody (people.person_id)"),
        Column("start_date", "date", description="First day in custody"),
        Column("end_date", "date", description="Day of release"),
        Column("sentence_kind", "category", allowed=SENTENCE_KINDS,
               description="remand, short (under 12 months) or long"),
    ),
    key=None,
    description="Custody spells (remand and sentences).",
    date_order=(("start_date", "end_date"),),
)

IDVA_SURVEY = Table(
    "idva_survey",
    (
        Column("survivor_id", "id", description="Survivor identifier"),
        Column("person_id", "id", description="Linked perpetrator (people.person_id)"),
        Column("referred_on", "date", description="Date referred to the IDVA service"),
        Column("responded", "bool", description="Did the survivor answer the survey"),
        Column("responded_on", "date", nullable=True, description="Date of response"),
        Column("felt_safer", "category", nullable=True, allowed=FELT_SAFER,
               description="yes, no or unsure; empty for non-respondents"),
        Column("risk_reduced", "int", nullable=True, min=1, max=5,
               description="Likert 1 (strongly disagree) to 5 (strongly agree)"),
        Column("quality_of_life", "int", nullable=True, min=1, max=5,
               description="Likert 1 (strongly disagree) to 5 (strongly agree)"),
    ),
    key="survivor_id",
    description="IDVA survey of survivors linked to managed perpetrators.",
    date_order=(("referred_on", "responded_on"),),
)

RISK_SCORES = Table(
    "risk_scores",
    (
        Column("person_id", "id", description="Person scored (people.person_id)"),
        Column("score_date", "date", description="Date of the score"),
        Column("score", "float", min=0, description="The force's own risk score"),
    ),
    key=None,
    optional=True,
    description="Optional: scores exported from the force's own tool; they take precedence.",
)

TABLES: dict[str, Table] = {t.name: t for t in (PEOPLE, EPISODES, OFFENCES, CUSTODY, IDVA_SURVEY,
                                                RISK_SCORES)}
REQUIRED_TABLES = tuple(n for n, t in TABLES.items() if not t.optional)
