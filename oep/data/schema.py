"""The store's schema: DuckDB files that analysts can query with plain SQL.

The store file holds every table below but ``indicators`` and ``sen_needs``, whose rows live in
part files beside it (``PART_DDL``, one per load; a wide file's indicators in ``WIDE_INDICATORS``)
and are read through views of those names (``oep.data.store``; ``store_parts`` lists the parts).

Tables (all school identifiers are text URNs):

* ``establishments`` - the register of establishments: one row per school of the borough.
* ``register_history`` - every establishment of the borough the register lists, open or closed,
  with its opening and closing dates: which school held an LA and establishment number when.
* ``establishment_links`` - predecessor/successor links between establishments (GIAS links file).
* ``partnership_members`` - the partnership's own register: MoU signed (yes/no, date), the named
  data controller (MoU 3.2).
* ``schools`` (view) - ``establishments`` joined to ``partnership_members``, with ``mou_signed``.
* ``support_links`` - provider school supports supported school from ``starts_on`` to ``ends_on``
  (``ends_on`` NULL = open-ended).
* ``strategic_partners`` - bodies (e.g. a diocese) whose staff see what a member sees.
* ``school_judgements`` - the partnership's own evaluative judgements (leadership, outward links,
  self-evaluation accuracy, ...) used by the support-category rules.
* ``ofsted_inspections`` - inspection outcomes, both graded judgements (to November 2025) and report
  cards (from November 2025): one row per inspection and area.
* ``indicators`` - every published or generated figure, long: one row per area (a school, the
  LA, statistical neighbours, the region, England), period, phase, pupil group and measure;
  ``value`` is numeric and NULL when the source printed a symbol, kept in ``symbol`` (``c``, ``z``,
  ``x``, ``low``, ``u``, ...).
* ``indicator_catalogue`` - what ``indicators`` holds, one row per source, area level, measure,
  period and pupil group with its row count: written with every load, so that a page asking which
  years or measures are held reads a few hundred rows instead of scanning every figure.
* ``sen_needs`` - pupils by SEN provision and primary type of need, same area/period keys.
* ``sources`` - one row per load (file name, SHA-256, kind, publication, rows, time, user, the
  import's ``options`` and, as JSON, what the file's symbols mean: ``symbol_meanings``); every
  data row carries its ``source_id``.
* ``store_meta`` - key/value facts about the store (``is_demo``, ``la_code``, ``seed``...).

The partnership's own writes (category reviews, disengagement records, audit log, login attempts)
live in a second file, the activity store (see ``oep.data.records``), because the app holds this one
open read-only and imports replace it atomically.
"""

from __future__ import annotations

SCHEMA_VERSION = "1"

# Vocabulary shared by generator, importers, queries and pages. Values follow the DfE's own words.
SCHOOL = "School"
LOCAL_AUTHORITY = "Local authority"
NEIGHBOURS = "Statistical neighbours"
REGIONAL = "Regional"
NATIONAL = "National"
GEO_LEVELS = (SCHOOL, LOCAL_AUTHORITY, NEIGHBOURS, REGIONAL, NATIONAL)

ENGLAND_CODE = "E92000001"
NORTH_WEST_CODE = "E12000002"
OLDHAM_LA_CODE = "353"
NEIGHBOURS_CODE = "SN353"

ACADEMIC_YEAR = "Academic year"
AUTUMN = "Autumn term"
SPRING = "Spring term"
SUMMER = "Summer term"
AUTUMN_SPRING = "Autumn and spring term"
CALENDAR_YEAR = "Calendar year"
YEAR_TO_DATE = "Year to date"
TERMS = (AUTUMN, SPRING, SUMMER)

TOTAL_PHASE = "Total"

ALL_PUPILS = "All pupils"
SEN_SUPPORT = "SEN support"
EHC_PLAN = "EHC plan"
NO_SEN = "No SEN"
FSM = "FSM eligible"
PUPIL_GROUPS = (ALL_PUPILS, SEN_SUPPORT, EHC_PLAN, NO_SEN, FSM)

# measure -> (plain label, unit). Units: "%" rate, "per 100" rate, "pupils" count, "sessions"
# count (half days), "score".
MEASURES: dict[str, tuple[str, str]] = {
    "overall_absence": ("Overall absence", "%"),
    "authorised_absence": ("Authorised absence", "%"),
    "unauthorised_absence": ("Unauthorised absence", "%"),
    "persistent_absence": ("Persistent absence (10%+ of sessions missed)", "%"),
    "severe_absence": ("Severe absence (50%+ of sessions missed)", "%"),
    "enrolments": ("Pupils enrolled", "pupils"),
    "sessions_possible": ("Possible sessions", "sessions"),
    "sessions_overall": ("Sessions missed (overall absence)", "sessions"),
    "sessions_authorised": ("Sessions missed (authorised absence)", "sessions"),
    "sessions_unauthorised": ("Sessions missed (unauthorised absence)", "sessions"),
    "pupils": ("Pupils on roll", "pupils"),
    "sen_support": ("Pupils on SEN support", "pupils"),
    "ehc_plan": ("Pupils with an EHC plan", "pupils"),
    "sen_support_pct": ("Pupils on SEN support", "%"),
    "ehc_plan_pct": ("Pupils with an EHC plan", "%"),
    "suspensions": ("Suspensions", "pupils"),
    "suspension_rate": ("Suspension rate", "per 100"),
    "pupils_suspended": ("Pupils with one or more suspensions", "pupils"),
    "perm_excl": ("Permanent exclusions", "pupils"),
    "perm_excl_rate": ("Permanent exclusion rate", "per 100"),
    "progress": ("Progress score (0 = national average)", "score"),
    "attainment": ("Pupils meeting the expected standard", "%"),
    "ehcp_20wk_pct": ("New EHC plans issued within 20 weeks (excluding exceptions)", "%"),
    "ehcp_20wk_pct_inc_exc": ("New EHC plans issued within 20 weeks (including exceptions)", "%"),
}
# Measures that count pupils: small values are suppressed below LA level.
COUNT_MEASURES = frozenset(m for m, (_, unit) in MEASURES.items() if unit == "pupils")

PRIMARY_NEEDS = (
    "Autistic Spectrum Disorder",
    "Hearing Impairment",
    "Moderate Learning Difficulty",
    "Multi-Sensory Impairment",
    "Physical Disability",
    "Profound & Multiple Learning Difficulty",
    "Social, Emotional and Mental Health",
    "Speech, Language and Communications needs",
    "Severe Learning Difficulty",
    "Specific Learning Difficulty",
    "Visual Impairment",
    "Other Difficulty/Disability",
    "SEN support but no specialist assessment of type of need",
)

OFSTED_GRADES = ("Outstanding", "Good", "Requires improvement", "Inadequate")
REPORT_CARD_GRADES = (
    "Exceptional", "Strong standard", "Expected standard", "Needs attention", "Urgent improvement",
)
OVERALL_EFFECTIVENESS = "Overall effectiveness"
# What ``latest_ofsted`` says of a school last inspected under report cards (no single grade).
REPORT_CARD_LATEST = "Report card (no overall grade)"

JUDGEMENT_ASPECTS = (
    "Leadership and governance",
    "Outward-facing links",
    "Self-evaluation accuracy",
    "Quality of teaching",
)
JUDGEMENTS = ("Effective", "Some concerns", "Not effective")

# Published symbols read as typed missing values (DfE open data standards).
SYMBOLS = ("c", "z", "x", "low", "u", ":", "~", ".", "..")

DDL = """
CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
-- The part files holding the rows of PART_TABLES (see oep.data.store).
CREATE TABLE IF NOT EXISTS store_parts (part INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS sources (
    source_id INTEGER PRIMARY KEY,
    kind VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    publication VARCHAR,
    rows BIGINT NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    loaded_by VARCHAR NOT NULL
);
-- What an import was asked (its options) is part of what was loaded; what its symbols mean is
-- the publication's own (older files use x for a suppressed small count).
ALTER TABLE sources ADD COLUMN IF NOT EXISTS options VARCHAR DEFAULT '';
ALTER TABLE sources ADD COLUMN IF NOT EXISTS symbol_meanings VARCHAR;
CREATE TABLE IF NOT EXISTS establishments (
    urn VARCHAR PRIMARY KEY,
    laestab VARCHAR,
    la_code VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    school_type VARCHAR NOT NULL,
    phase VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    trust VARCHAR,
    pupils INTEGER,
    postcode VARCHAR,
    easting INTEGER,
    northing INTEGER,
    source_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS register_history (
    urn VARCHAR PRIMARY KEY,
    laestab VARCHAR,
    la_code VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    opened_on DATE,
    closed_on DATE,
    source_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS establishment_links (
    urn VARCHAR NOT NULL,
    link_urn VARCHAR NOT NULL,
    link_name VARCHAR,
    link_type VARCHAR NOT NULL,
    linked_on DATE,
    source_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS partnership_members (
    urn VARCHAR PRIMARY KEY,
    mou_signed BOOLEAN NOT NULL,
    mou_signed_on DATE,
    data_controller VARCHAR,
    source_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS support_links (
    provider_urn VARCHAR NOT NULL,
    supported_urn VARCHAR NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE,
    purpose VARCHAR,
    source_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS strategic_partners (
    org VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    partner_type VARCHAR,
    data_controller VARCHAR,
    source_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS school_judgements (
    urn VARCHAR NOT NULL,
    judged_on DATE NOT NULL,
    aspect VARCHAR NOT NULL,
    judgement VARCHAR NOT NULL,
    source_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ofsted_inspections (
    urn VARCHAR NOT NULL,
    inspection_date DATE NOT NULL,
    framework VARCHAR NOT NULL,
    area VARCHAR NOT NULL,
    grade VARCHAR NOT NULL,
    source_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS indicator_catalogue (
    source_id INTEGER NOT NULL,
    geo_level VARCHAR NOT NULL,
    measure VARCHAR NOT NULL,
    time_period INTEGER NOT NULL,
    time_identifier VARCHAR NOT NULL,
    pupil_group VARCHAR NOT NULL,
    rows BIGINT NOT NULL
);
CREATE OR REPLACE VIEW schools AS
SELECT e.urn, e.laestab, e.name, e.la_code, e.phase, e.school_type, e.status, e.trust, e.pupils,
       e.postcode, e.easting, e.northing,
       coalesce(m.mou_signed, false) AS mou_signed, m.mou_signed_on, m.data_controller
FROM establishments e LEFT JOIN partnership_members m USING (urn);
CREATE OR REPLACE VIEW latest_ofsted AS
SELECT urn, inspection_date, framework,
       CASE WHEN framework = 'Report card' THEN 'Report card (no overall grade)' ELSE grade END
           AS grade
FROM ofsted_inspections
WHERE area = 'Overall effectiveness' OR framework = 'Report card'
QUALIFY row_number() OVER (PARTITION BY urn ORDER BY inspection_date DESC, area) = 1;
"""

# The tables that grow with every load live in part files beside the store, one written per import
# and never changed after (oep.data.store); the store file reads them through views of the same
# names.
PART_TABLES = ("indicators", "sen_needs")
PART_DDL = """
CREATE TABLE IF NOT EXISTS indicators (
    geo_level VARCHAR NOT NULL,
    area_code VARCHAR NOT NULL,
    area_name VARCHAR,
    phase VARCHAR NOT NULL,
    time_period INTEGER NOT NULL,
    time_identifier VARCHAR NOT NULL,
    pupil_group VARCHAR NOT NULL,
    measure VARCHAR NOT NULL,
    value DOUBLE,
    symbol VARCHAR,
    source_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sen_needs (
    geo_level VARCHAR NOT NULL,
    area_code VARCHAR NOT NULL,
    time_period INTEGER NOT NULL,
    sen_provision VARCHAR NOT NULL,
    primary_need VARCHAR NOT NULL,
    pupils DOUBLE,
    symbol VARCHAR,
    source_id INTEGER NOT NULL
);
"""


# A load of a file in the DfE's wide layout (a column per measure) keeps its rows wide in its part:
# a table of this name, one row per area, period, phase and pupil group, with these columns and a
# value and a symbol column per measure (``oep.data.store.add_wide_indicators``). The view
# ``indicators`` shows each of its cells as a row, as if the part held them long.
WIDE_INDICATORS = "indicators_wide"
WIDE_KEYS = {
    "geo_level": "VARCHAR NOT NULL",
    "area_code": "VARCHAR NOT NULL",
    "area_name": "VARCHAR",
    "phase": "VARCHAR NOT NULL",
    "time_period": "INTEGER NOT NULL",
    "time_identifier": "VARCHAR NOT NULL",
    "pupil_group": "VARCHAR NOT NULL",
    "source_id": "INTEGER NOT NULL",
}
