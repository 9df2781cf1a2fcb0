"""Every read of the store that a page makes, filtered by the viewer's scope.

School-level rows only ever come out of here restricted to ``scope.urns`` (in SQL, as a parameter;
for an LA viewer, whose scope is every school in the register, as the register itself) and, below
LA level, with small numbers suppressed. Published comparator rows (England, North West,
statistical neighbours, the LA's published figures) are public and need no scope. Results are
cached per (store file version, scope, arguments): a cache key without the scope would leak one
viewer's rows to another (the URNs None, every school in the register, stand in a key only for
an LA viewer, who sees them all).
"""

from __future__ import annotations

import json
from datetime import date, datetime

import polars as pl

from oep.data import access, derived
from oep.data.access import Scope, Viewer, in_order
from oep.data.config import Settings
from oep.data.memo import MEMO_SIZE, per_input, shared
from oep.data.schema import ACADEMIC_YEAR, AUTUMN_SPRING, PUPIL_GROUPS, SCHOOL, TERMS
from oep.data.store import Store, meta
from oep.data.suppression import needed_measures, suppress, suppress_needs

CACHE_SIZE = 256
REPORT_CARD = "Report card"  # the framework of an inspection graded area by area


@shared(maxsize=CACHE_SIZE)
def _scope(store: Store, version: tuple[int, int], viewer: Viewer, on: date,
           min_count: int) -> Scope:
    return access.scope_for(store, viewer, on, min_count=min_count)


def scope_for(store: Store, viewer: Viewer, settings: Settings, on: date | None = None) -> Scope:
    """The viewer's scope (``access.scope_for``), with the suppression threshold of
    ``settings``, cached per store version."""
    return _scope(store, store.version, viewer, on or date.today(),
                  settings.suppression_min_count)


@shared(maxsize=8)
def _store_meta(store: Store, version: tuple[int, int]) -> dict[str, str]:
    cur = store.cursor()
    try:
        return meta(cur)
    finally:
        cur.close()


def store_meta(store: Store) -> dict[str, str]:
    return dict(_store_meta(store, store.version))


def is_demo(store: Store) -> bool:
    return store_meta(store).get("is_demo") == "true"


def demo_orgs(store: Store) -> dict[str, str]:
    return json.loads(store_meta(store).get("demo_orgs", "{}"))


def _optional(name: str, values: tuple[str, ...] | tuple[int, ...] | None) -> dict[str, object]:
    """Parameters for ``($no_<name> OR column IN (SELECT unnest($<name>)))``: None means any."""
    return {f"no_{name}": values is None, name: list(values or ())}


def _urn_list(scope: Scope, urns: tuple[str, ...] | None) -> tuple[str, ...]:
    if urns is None:
        return in_order(scope.urns)
    return tuple(sorted(scope.urns.intersection(urns)))


def _urns_read(scope: Scope, urns: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """The schools to read (``_urn_list``), or None for every school in the register: an LA
    viewer, who sees every school (``access``), asking for all of them. The register is then
    read in SQL rather than 24,000 URNs bound as a parameter and matched (0.07 s at England
    scale)."""
    return None if scope.is_la and urns is None else _urn_list(scope, urns)


_SCHOOLS = """
    SELECT s.urn, s.name, s.phase, s.school_type, s.trust, s.pupils, s.postcode, s.mou_signed,
           o.grade AS ofsted_grade, o.inspection_date AS ofsted_date,
           o.framework AS ofsted_framework
    FROM schools s LEFT JOIN latest_ofsted o USING (urn)
"""


@shared(maxsize=CACHE_SIZE)
def _schools(store: Store, version: tuple[int, int],
             urns: tuple[str, ...] | None) -> pl.DataFrame:
    """The register's schools among ``urns`` (None: every one), in name order."""
    # Cut from the register's frame, which the rules hold anyway: a query per scope or school
    # picked worked out every school's latest inspection again (0.04 s at England scale).
    if urns is None:
        return _every_school(store, version)
    return _every_school(store, version).filter(pl.col("urn").is_in(list(urns)))


@shared(maxsize=8)
def _every_school(store: Store, version: tuple[int, int]) -> pl.DataFrame:
    # Sorted here rather than in SQL: 0.01-0.02 s less at England scale.
    return store.frame(_SCHOOLS).sort("name", "urn")


def every_school(store: Store) -> pl.DataFrame:
    """Every school in the register with key facts, for the support-category rules, which
    assess every school at once; a viewer's results are cut to their scope afterwards."""
    return _every_school(store, store.version)


def visible_schools(store: Store, scope: Scope) -> pl.DataFrame:
    """The schools whose school-level data the viewer may see, with key facts."""
    return _schools(store, store.version, _urns_read(scope, None))


def public_ofsted(store: Store, scope: Scope) -> pl.DataFrame:
    """Names and latest Ofsted judgements the viewer may see (members' are public)."""
    urns = None if scope.is_la else in_order(scope.public_urns)
    return _ofsted_columns(_schools(store, store.version, urns))


@per_input(MEMO_SIZE)
def _ofsted_columns(schools: pl.DataFrame) -> pl.DataFrame:
    # The same frame on every rerun: the Overview's tables and their downloads' sizes are
    # memoised on it (made afresh, England's Ofsted table was measured again on every rerun).
    return schools.select("urn", "name", "phase", "school_type", "ofsted_grade", "ofsted_date",
                          "ofsted_framework")


def latest_report_card(store: Store, scope: Scope, urn: str) -> pl.DataFrame:
    """The area grades of a visible school's latest inspection if it was a report card (area,
    grade, inspection_date); empty otherwise."""
    none = pl.DataFrame(schema={"area": pl.String, "grade": pl.String, "inspection_date": pl.Date})
    if urn not in scope.urns:
        return none
    # The register's frame says which framework the latest inspection was under: most schools
    # were last inspected under the graded one, and need no query.
    if REPORT_CARD not in _schools(store, store.version, (urn,))["ofsted_framework"].to_list():
        return none
    return _report_card(store, store.version, urn)


@shared(maxsize=CACHE_SIZE)
def _report_card(store: Store, version: tuple[int, int], urn: str) -> pl.DataFrame:
    return store.frame(
        """
        SELECT i.area, i.grade, i.inspection_date
        FROM ofsted_inspections i JOIN latest_ofsted l USING (urn, inspection_date, framework)
        WHERE i.urn = $urn AND i.framework = $report_card
        ORDER BY i.area
        """,
        {"urn": urn, "report_card": REPORT_CARD},
    )


def _indicator_rows(
    store: Store,
    version: tuple[int, int],
    urns: tuple[str, ...] | None,
    measures: tuple[str, ...],
    time_identifiers: tuple[str, ...] | None,
    pupil_groups: tuple[str, ...] | None,
    suppress_below: int | None,
    time_periods: tuple[int, ...] | None,
    latest_years: int | None,
) -> pl.DataFrame:
    """School-level rows of ``urns`` (None: every school in the register), suppressed below
    ``suppress_below``, with their symbols' meanings; ``area_code`` is the URN, in no order."""
    wanted = (time_identifiers, pupil_groups, time_periods)
    held = None if latest_years is None else _latest_held(store, version, measures, *wanted)
    read = (store, urns, measures, suppress_below, *wanted, latest_years)
    since = _window_start(held, latest_years)
    frame = _picked(*read, since=since)
    if since is not None and not _ends_as_held(frame, measures, held):
        # A measure's latest period in the catalogue is not among these schools' rows: its
        # window starts earlier, so every year is read.
        frame = _picked(*read, since=None)
    if suppress_below:
        frame = suppress(frame, suppress_below).filter(pl.col("measure").is_in(list(measures)))
    # Meanings after suppression: a figure it turned into c no longer carries its old symbol's.
    return _with_meanings(frame, _symbol_meanings(store, version))


@shared(maxsize=CACHE_SIZE)
def _latest_held(store: Store, version: tuple[int, int], measures: tuple[str, ...],
                 time_identifiers: tuple[str, ...] | None, pupil_groups: tuple[str, ...] | None,
                 time_periods: tuple[int, ...] | None) -> dict[str, int] | None:
    """Each measure's latest period of school figures the catalogue holds (None: no
    catalogue, in a store written before it)."""
    if not store.has_table("indicator_catalogue"):
        return None
    frame = store.frame(
        """
        SELECT measure, max(time_period) AS latest FROM indicator_catalogue
        WHERE geo_level = $school AND rows > 0 AND measure IN (SELECT unnest($measures))
          AND ($no_terms OR time_identifier IN (SELECT unnest($terms)))
          AND ($no_groups OR pupil_group IN (SELECT unnest($groups)))
          AND ($no_periods OR time_period IN (SELECT unnest($periods)))
        GROUP BY measure
        """,
        {"school": SCHOOL, "measures": list(measures), **_optional("terms", time_identifiers),
         **_optional("groups", pupil_groups), **_optional("periods", time_periods)},
    )
    return dict(frame.iter_rows())


def _window_start(held: dict[str, int] | None, latest_years: int | None) -> int | None:
    """The first period of the latest ``latest_years`` academic years, if the rows end where
    the catalogue says (``held``): the scan then skips the older years' rows (at England scale
    the rules' read took 0.45 s reading every year, 0.25 s reading three)."""
    if not held or latest_years is None:
        return None
    return (min(held.values()) // 100 - latest_years + 1) * 100


def _ends_as_held(frame: pl.DataFrame, measures: tuple[str, ...],
                  held: dict[str, int]) -> bool:
    """Whether the latest period of each of ``measures`` among ``frame``'s rows is the one the
    catalogue holds: then the window worked out from them is the one every year's rows give."""
    found = (frame.filter(pl.col("measure").is_in(list(measures)))
             .group_by("measure").agg(pl.col("time_period").max()))
    return dict(found.iter_rows()) == held


def _picked(store: Store, urns: tuple[str, ...] | None, measures: tuple[str, ...],
            suppress_below: int | None, time_identifiers: tuple[str, ...] | None,
            pupil_groups: tuple[str, ...] | None, time_periods: tuple[int, ...] | None,
            latest_years: int | None, *, since: int | None) -> pl.DataFrame:
    """The rows of ``_indicator_rows`` before suppression; ``since``: none before that period."""
    fetch = needed_measures(measures) if suppress_below else measures
    # Every school: the register read in SQL rather than 24,000 URNs bound as a parameter.
    schools = "SELECT urn FROM schools" if urns is None else "SELECT unnest($urns)"
    # ``latest_years``: whole academic years from the earliest of the measures' latest N on, so
    # each measure keeps at least its own latest N years, and suppression its counts of them.
    # Left out when not asked for: planned for nothing, it took half a school's read. Left out
    # too when reading ``since`` the catalogue's window: the rows that end as the catalogue says
    # (``_ends_as_held``, else every year is read again) start there already, and the window's
    # second pass over them took a third of the rules' read at England scale.
    window_years = latest_years if since is None else None
    window = "" if window_years is None else """
        WHERE time_period // 100 > $window + (
            SELECT min(latest) // 100 FROM (
                SELECT max(time_period) AS latest FROM picked
                WHERE measure IN (SELECT unnest($wanted)) GROUP BY measure))"""
    return store.frame(
        f"""
        WITH picked AS (
            SELECT i.area_code, i.time_period, i.time_identifier, i.pupil_group, i.measure,
                   i.value, i.symbol, i.source_id
            FROM indicators i
            WHERE i.geo_level = $school
              AND list_contains($measures, i.measure)
              AND i.area_code IN ({schools})
              AND ($no_terms OR i.time_identifier IN (SELECT unnest($terms)))
              AND ($no_groups OR i.pupil_group IN (SELECT unnest($groups)))
              AND ($no_periods OR i.time_period IN (SELECT unnest($periods)))
              AND ($no_since OR i.time_period >= $since)
        )
        SELECT * FROM picked{window}
        """,
        {
            "school": SCHOOL,
            "measures": list(fetch),
            **({} if urns is None else {"urns": list(urns)}),
            **({} if window_years is None else {"wanted": list(measures),
                                                "window": -window_years}),
            "no_since": since is None,
            "since": since or 0,
            **_optional("periods", time_periods),
            **_optional("terms", time_identifiers),
            **_optional("groups", pupil_groups),
        },
    )


@shared(maxsize=CACHE_SIZE)
def _school_indicators(
    store: Store,
    version: tuple[int, int],
    urns: tuple[str, ...] | None,
    measures: tuple[str, ...],
    time_identifiers: tuple[str, ...] | None,
    pupil_groups: tuple[str, ...] | None,
    suppress_below: int | None,
    time_periods: tuple[int, ...] | None = None,
    latest_years: int | None = None,
) -> pl.DataFrame:
    frame = _indicator_rows(store, version, urns, measures, time_identifiers, pupil_groups,
                            suppress_below, time_periods, latest_years)
    frame = frame.rename({"area_code": "urn"})
    schools = _schools(store, version, urns).select("urn", "name", "phase", "school_type")
    # The schools in the register's (name) order, each one's rows in period order: a join that
    # keeps both orders, where sorting every row by name took 0.1 s at England scale.
    return schools.join(
        frame.sort("time_period", "time_identifier", "pupil_group", "measure"), on="urn",
        how="inner", maintain_order="left_right",
    ).select(*frame.columns, "name", "phase", "school_type")


def school_indicators(
    store: Store,
    scope: Scope,
    measures: tuple[str, ...],
    *,
    time_identifiers: tuple[str, ...] | None = None,
    pupil_groups: tuple[str, ...] | None = None,
    urns: tuple[str, ...] | None = None,
    time_periods: tuple[int, ...] | None = None,
    latest_years: int | None = None,
) -> pl.DataFrame:
    """School-level indicator rows the viewer may see, small numbers suppressed below LA level.

    Columns: urn, name, phase, school_type, time_period, time_identifier, pupil_group, measure,
    value (null where the source or suppression printed a symbol), symbol. ``time_periods``
    narrows to some years (a borough-wide view of one year need not fetch every year);
    ``latest_years`` to (at least) each measure's latest N academic years held.
    """
    return _school_indicators(
        store, store.version, _urns_read(scope, urns), tuple(measures),
        time_identifiers, pupil_groups, scope.min_count, time_periods, latest_years,
    )


@shared(maxsize=8)
def _every_school_indicators(
    store: Store,
    version: tuple[int, int],
    measures: tuple[str, ...],
    time_identifiers: tuple[str, ...] | None,
    pupil_groups: tuple[str, ...] | None,
    suppress_below: int | None,
    latest_years: int | None,
    urns: tuple[str, ...] | None,
) -> pl.DataFrame:
    frame = _indicator_rows(store, version, urns, measures, time_identifiers, pupil_groups,
                            suppress_below, None, latest_years)
    return frame.rename({"area_code": "urn"})


def every_school_indicators(
    store: Store,
    measures: tuple[str, ...],
    *,
    suppress_below: int | None,
    time_identifiers: tuple[str, ...] | None = None,
    pupil_groups: tuple[str, ...] | None = None,
    latest_years: int | None = None,
    urns: tuple[str, ...] | None = None,
) -> pl.DataFrame:
    """The rows ``school_indicators`` gives of every school in the register (or of ``urns``
    only), suppressed as below LA level when ``suppress_below`` is set: for the support-category
    rules, which read every school and whose results are cut down to the viewer's scope afterwards
    (``oep.domain.categories``). The rules join on the URN, so the rows carry no names and come
    in no order (sorting 200,000 rows by school name cost the rules' first run 0.1 s).

    Columns: urn, time_period, time_identifier, pupil_group, measure, value, symbol,
    symbol_meaning.
    """
    return _every_school_indicators(store, store.version, tuple(measures), time_identifiers,
                                    pupil_groups, suppress_below, latest_years, urns)


def latest_school_years(store: Store, measures: tuple[str, ...], time_identifier: str,
                        pupil_group: str) -> dict[str, int]:
    """Each measure's latest period among every school in the register's rows of this time
    identifier and pupil group: where the support-category rules' windows of years end when they
    read a few schools' rows (the ``latest_held`` of every school's, without reading them)."""
    return _latest_school_years(store, store.version, tuple(measures), time_identifier,
                                pupil_group)


@shared(maxsize=CACHE_SIZE)
def _latest_school_years(store: Store, version: tuple[int, int], measures: tuple[str, ...],
                         time_identifier: str, pupil_group: str) -> dict[str, int]:
    def latest(since: int | None) -> pl.DataFrame:
        return store.frame(
            """
            SELECT measure, max(time_period) AS latest FROM indicators
            WHERE geo_level = $school AND list_contains($measures, measure)
              AND area_code IN (SELECT urn FROM schools)
              AND time_identifier = $term AND pupil_group = $group
              AND ($no_since OR time_period >= $since)
            GROUP BY measure
            """,
            {"school": SCHOOL, "measures": list(measures), "term": time_identifier,
             "group": pupil_group, "no_since": since is None, "since": since or 0},
        )

    def work_out() -> tuple[pl.DataFrame]:
        # The catalogue's latest periods (of any school's rows) bound the register's: the rows
        # from the earliest of them on are read (a scan of every figure took 0.2 s at England
        # scale), and every year's only if a measure's latest is not the catalogue's.
        held = _latest_held(store, version, measures, (time_identifier,), (pupil_group,), None)
        if held:
            frame = latest(min(held.values()))
            if dict(frame.iter_rows()) == held:
                return (frame,)
        return (latest(None),)

    # Kept beside the store for a new process.
    (frame,) = derived.frames(store, version, "latest_school_years",
                              (measures, time_identifier, pupil_group), work_out)
    return dict(frame.iter_rows())


@shared(maxsize=CACHE_SIZE)
def _comparators(
    store: Store,
    version: tuple[int, int],
    measures: tuple[str, ...],
    phases: tuple[str, ...] | None,
    time_identifiers: tuple[str, ...] | None,
    pupil_groups: tuple[str, ...] | None,
) -> pl.DataFrame:
    frame = store.frame(
        """
        SELECT geo_level, area_code, area_name, phase, time_period, time_identifier, pupil_group,
               measure, value, symbol, source_id
        FROM indicators
        WHERE geo_level <> $school
          AND list_contains($measures, measure)
          AND ($no_phases OR phase IN (SELECT unnest($phases)))
          AND ($no_terms OR time_identifier IN (SELECT unnest($terms)))
          AND ($no_groups OR pupil_group IN (SELECT unnest($groups)))
        ORDER BY geo_level, time_period, time_identifier, pupil_group, measure
        """,
        {
            "school": SCHOOL,
            "measures": list(measures),
            **_optional("phases", phases),
            **_optional("terms", time_identifiers),
            **_optional("groups", pupil_groups),
        },
    )
    return _with_meanings(frame, _symbol_meanings(store, version))


def comparators(
    store: Store,
    measures: tuple[str, ...],
    *,
    phases: tuple[str, ...] | None = ("Total",),
    time_identifiers: tuple[str, ...] | None = None,
    pupil_groups: tuple[str, ...] | None = None,
) -> pl.DataFrame:
    """Published figures for the LA, statistical neighbours, the region and England (public)."""
    return _comparators(
        store, store.version, tuple(measures), phases, time_identifiers, pupil_groups
    )


@shared(maxsize=CACHE_SIZE)
def _sen_needs(
    store: Store, version: tuple[int, int], urns: tuple[str, ...], suppress_below: int | None
) -> pl.DataFrame:
    frame = store.frame(
        """
        SELECT n.area_code AS urn, n.time_period, n.sen_provision, n.primary_need, n.pupils,
               n.symbol
        FROM sen_needs n
        WHERE n.geo_level = $school AND n.area_code IN (SELECT unnest($urns))
        ORDER BY n.area_code, n.time_period, n.sen_provision, n.primary_need
        """,
        {"school": SCHOOL, "urns": list(urns)},
    )
    if suppress_below:
        frame = suppress_needs(frame, suppress_below).sort(
            "urn", "time_period", "sen_provision", "primary_need")
    names = _schools(store, version, urns).select("urn", "name", "phase")
    return frame.join(names, on="urn", how="inner")


def sen_needs(store: Store, scope: Scope, urns: tuple[str, ...] | None = None) -> pl.DataFrame:
    """Pupils by SEN provision and primary need, per school the viewer may see."""
    return _sen_needs(store, store.version, _urn_list(scope, urns), scope.min_count)


@shared(maxsize=8)
def _sen_needs_comparators(store: Store, version: tuple[int, int]) -> pl.DataFrame:
    return store.frame(
        """
        SELECT geo_level, area_code, time_period, sen_provision, primary_need, pupils, symbol
        FROM sen_needs WHERE geo_level <> $school
        ORDER BY geo_level, time_period, sen_provision, primary_need
        """,
        {"school": SCHOOL},
    )


def sen_needs_comparators(store: Store) -> pl.DataFrame:
    """Published pupils by primary need for the LA and England."""
    return _sen_needs_comparators(store, store.version)


@shared(maxsize=8)
def _register_counts(store: Store, version: tuple[int, int]) -> pl.DataFrame:
    return store.frame(
        "SELECT phase, school_type, count(*) AS schools FROM schools GROUP BY ALL ORDER BY ALL")


def published_coverage(store: Store, scope: Scope) -> pl.DataFrame:
    """The schools a published borough figure covers: the register's count per phase and type
    (public, as the register is), against which a figure computed over the viewer's schools is
    checked (``suppression.one_school_apart``). None for the LA, who sees every figure anyway."""
    if not scope.suppress_small_counts:
        return _cleared(_register_counts(store, store.version))
    return _register_counts(store, store.version)


@per_input(MEMO_SIZE)
def _cleared(frame: pl.DataFrame) -> pl.DataFrame:
    # One empty frame per register, not one per run: the tables made from it are memoised on it.
    return frame.clear()


def _catalogue(store: Store) -> str:
    """Where to read which periods and groups are held: the catalogue every load keeps, or the
    figures themselves in a store written before the catalogue existed."""
    return "indicator_catalogue" if store.has_table("indicator_catalogue") else "indicators"


@shared(maxsize=8)
def _periods(store: Store, version: tuple[int, int]) -> pl.DataFrame:
    held = _catalogue(store)
    return store.frame(
        f"""
        SELECT DISTINCT time_period, time_identifier FROM {held}
        WHERE time_period >= 100000
        ORDER BY time_period, time_identifier
        """
    )


def academic_years(store: Store) -> list[int]:
    """Academic years held (as 202425), newest first: whole years or parts of them (terms, the
    autumn and spring terms), not the daily data's year to date."""
    frame = _periods(store, store.version).filter(
        pl.col("time_identifier").is_in([ACADEMIC_YEAR, *TERMS, AUTUMN_SPRING]))
    return sorted(frame["time_period"].unique().to_list(), reverse=True)


def terms_held(store: Store) -> list[str]:
    """The academic year's parts figures are held for, in school-year order: whole years,
    terms, and the autumn and spring terms together (the DfE's two-term files)."""
    held = set(_periods(store, store.version)["time_identifier"].to_list())
    return [t for t in (ACADEMIC_YEAR, *TERMS, AUTUMN_SPRING) if t in held]


@shared(maxsize=8)
def _pupil_groups(store: Store, version: tuple[int, int]) -> list[str]:
    return store.frame(f"SELECT DISTINCT pupil_group FROM {_catalogue(store)} ORDER BY 1")[
        "pupil_group"].to_list()


def pupil_groups(store: Store) -> list[str]:
    """The pupil groups figures are held for: the usual ones first, then any other a file
    brought (pupils aged 4, a year group)."""
    held = _pupil_groups(store, store.version)
    return [*(g for g in PUPIL_GROUPS if g in held), *(g for g in held if g not in PUPIL_GROUPS)]


@shared(maxsize=8)
def _symbol_meanings(store: Store, version: tuple[int, int]) -> pl.DataFrame:
    """(source_id, symbol, symbol_meaning): what a load's publication says its own symbols mean
    (older exclusions files: x = 1 or 2 pupils), where it differs from today's standard."""
    recorded = store.frame(
        "SELECT count(*) AS n FROM information_schema.columns "
        "WHERE table_name = 'sources' AND column_name = 'symbol_meanings'")["n"][0]
    # A store written before loads recorded their symbols' meanings has only the standard ones.
    loaded = store.frame(
        "SELECT source_id, symbol_meanings FROM sources WHERE symbol_meanings IS NOT NULL"
        if recorded else "SELECT source_id, NULL::VARCHAR AS symbol_meanings FROM sources LIMIT 0")
    rows = [(source_id, symbol, meaning) for source_id, text in loaded.iter_rows()
            for symbol, meaning in json.loads(text).items()]
    return pl.DataFrame(rows, schema={"source_id": pl.Int32, "symbol": pl.String,
                                      "symbol_meaning": pl.String}, orient="row")


def _with_meanings(frame: pl.DataFrame, meanings: pl.DataFrame) -> pl.DataFrame:
    """Each figure's ``symbol_meaning`` from the load that brought it (null: the standard one,
    ``display.SYMBOL_MEANINGS``); ``source_id`` is dropped."""
    if meanings.is_empty():  # no load's symbols differ from the standard: nothing to join
        return frame.drop("source_id").with_columns(
            pl.lit(None, dtype=pl.String).alias("symbol_meaning"))
    return frame.join(meanings, on=["source_id", "symbol"], how="left",
                      maintain_order="left").drop("source_id")


@shared(maxsize=8)
def _last_loaded(store: Store, version: tuple[int, int]) -> datetime | None:
    return store.scalar("SELECT max(loaded_at) FROM sources")


def last_loaded(store: Store) -> datetime | None:
    """When data last went into the store (the newest load); public, as the date on a page."""
    return _last_loaded(store, store.version)


@shared(maxsize=CACHE_SIZE)
def _measure_sources(store: Store, version: tuple[int, int],
                     measures: tuple[str, ...]) -> pl.DataFrame:
    return store.frame(
        f"""
        SELECT i.measure, s.publication, max(s.loaded_at) AS loaded_at
        FROM (SELECT DISTINCT measure, source_id FROM {_catalogue(store)}
              WHERE measure IN (SELECT unnest($measures))) i
        JOIN sources s USING (source_id)
        GROUP BY ALL ORDER BY i.measure, s.publication
        """,
        {"measures": list(measures)},
    )


def measure_sources(store: Store, measures: tuple[str, ...]) -> pl.DataFrame:
    """The publications the store holds these measures from (measure, publication, loaded_at):
    the source line of a board pack; public, as publications are."""
    return _measure_sources(store, store.version, tuple(sorted(set(measures))))


def loads(store: Store) -> pl.DataFrame:
    """Every load into the store, newest first (admin page)."""
    return store.frame(
        "SELECT source_id, kind, file_name, sha256, publication, rows, loaded_at, loaded_by, "
        "options, symbol_meanings FROM sources ORDER BY loaded_at DESC, source_id DESC"
    )


@shared(maxsize=8)
def _sources(store: Store, version: tuple[int, int]) -> pl.DataFrame:
    # Each load's years from the catalogue, not a join of every figure (at England scale, 1.5 s of
    # every page's first render).
    return store.frame(
        f"""
        WITH periods AS (
            SELECT source_id, min(time_period) AS first_year, max(time_period) AS last_year
            FROM {_catalogue(store)} WHERE time_period >= 100000 GROUP BY source_id
            UNION ALL
            SELECT source_id, min(time_period), max(time_period) FROM sen_needs GROUP BY source_id
        )
        SELECT s.source_id, s.kind, s.publication, s.file_name, s.loaded_at,
               min(p.first_year) AS first_year, max(p.last_year) AS last_year
        FROM sources s LEFT JOIN periods p USING (source_id)
        GROUP BY ALL ORDER BY s.loaded_at DESC, s.source_id DESC
        """
    )


def sources(store: Store) -> pl.DataFrame:
    """Every load with the academic years its figures cover (public: no figures, no user
    names): the freshness line and the Data sources page."""
    return _sources(store, store.version)
