"""Board packs: the Overview (borough) and a School profile as one printable PDF each.

A pack is built from the same queries and display functions as its page, for the same viewer, so
it holds exactly the figures the page shows them: the scope is applied in SQL, small numbers are
suppressed below LA level, and a school the viewer may not see is refused before anything is read.
Every figure carries its period (in its table) and its source (under it); the pack names the date
the data was last loaded, and on a demo store every page says the data is synthetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import polars as pl

from oep.data import queries, records
from oep.domain import attendance, categories, disengagement, send
from oep.present import charts, display, pdf, sentences
from oep.data.access import ROLES, Scope
from oep.domain.attendance import ATTENDANCE_MEASURES
from oep.domain.categories_rules import CATEGORIES
from oep.data.config import Settings
from oep.present.display import Tile
from oep.domain.areas import ENGLAND, LISTED, NORTH_WEST, OLDHAM
from oep.data.schema import ACADEMIC_YEAR, ALL_PUPILS, CALENDAR_YEAR, TOTAL_PHASE, YEAR_TO_DATE
from oep.data.store import Store
from oep.present.url_state import day
from oep.domain import areas
from oep.domain import dictionary
from oep.domain import periods

# The Overview's measures: its tiles and its year-by-year charts.
BOROUGH_YEARLY = ("overall_absence", "persistent_absence", "severe_absence", "ehc_plan_pct",
                  "sen_support_pct", "suspension_rate", "perm_excl_rate")
BOROUGH_CALENDAR = ("ehcp_20wk_pct",)
# The School profile's measures.
SUSPENSION_RATES = ("suspension_rate", "perm_excl_rate")
SUSPENSION_COUNTS = ("suspensions", "pupils_suspended", "perm_excl")
SCHOOL_MEASURES = (*ATTENDANCE_MEASURES, *send.SHARE_MEASURES, *SUSPENSION_RATES,
                   *SUSPENSION_COUNTS)

DEMO_BANNER = ("Synthetic demo data: every school, name and figure in this pack is invented for "
               "demonstration; nothing here describes a real school.")


PUBLISHED_WHO = ("Oldham, England, the North West and statistical neighbours: the DfE's "
                 "published figures, the same for every viewer.")


class PackRefused(PermissionError):
    """A pack the viewer may not have (a school outside their scope)."""


def borough_published(store: Store, la_code: str) -> pl.DataFrame:
    """The Overview's published rows: Oldham, England, the North West and neighbours."""
    return areas.published_areas(
        queries.comparators(store, tuple(dict.fromkeys((*BOROUGH_YEARLY, *BOROUGH_CALENDAR,
                                                        *attendance.YEAR_TO_DATE_MEASURES))),
                            phases=(TOTAL_PHASE,), pupil_groups=(ALL_PUPILS,)),
        la_code)


def borough_tiles(published: pl.DataFrame) -> tuple[list[Tile], list[Tile]]:
    """The Overview's headline tiles (census and calendar-year figures), and its year-to-date
    tiles."""
    tiles = display.headline_tiles(published, OLDHAM, BOROUGH_YEARLY, time_period=None,
                                   time_identifier=ACADEMIC_YEAR, beside=(ENGLAND, NORTH_WEST))
    tiles += display.headline_tiles(published, OLDHAM, BOROUGH_CALENDAR, time_period=None,
                                    time_identifier=CALENDAR_YEAR, beside=(ENGLAND, NORTH_WEST))
    year_to_date = display.headline_tiles(published, OLDHAM, attendance.YEAR_TO_DATE_MEASURES,
                                          time_period=None, time_identifier=YEAR_TO_DATE,
                                          beside=(ENGLAND, NORTH_WEST))
    return tiles, year_to_date


def school_rows(store: Store, scope: Scope, la_code: str,
                school: dict[str, object]) -> tuple[pl.DataFrame, str]:
    """The School profile's figures: the school's own rows beside Oldham's and England's
    published ones for its phase (or all phases); and the phase those cover."""
    published_all = areas.published_areas(queries.comparators(
        store, SCHOOL_MEASURES, phases=None, pupil_groups=(ALL_PUPILS,)), la_code)
    compared = areas.comparison(published_all, None, school)
    rows = areas.combine(compared.rows, queries.school_indicators(
        store, scope, SCHOOL_MEASURES, pupil_groups=(ALL_PUPILS,), urns=(str(school["urn"]),)),
        str(school["name"]), areas=(OLDHAM, ENGLAND))
    return rows, compared.phase


# --- blocks --------------------------------------------------------------------------------------

def tiles_block(heading: str, tiles: Sequence[Tile], *, note: str = "") -> pdf.Block | None:
    """Headline tiles as a table (figure, period, change, comparators) and their sentences."""
    if not tiles:
        return None
    comparators = list(dict.fromkeys(area for tile in tiles for area, _ in tile.beside))
    rows = []
    for tile in tiles:
        beside = dict(tile.beside)
        rows.append({
            "Measure": (tile.help or tile.label) + (" (per 100 pupils)" if tile.unit == "per 100"
                                                     else ""),
            "Figure": tile.value,
            "Period": tile.period,
            "Change on last year": (f"{tile.change} {tile.change_since}" if tile.change_since
                                    else tile.change or ""),
            **{area: beside.get(area, "") for area in comparators},
        })
    return pdf.Block(
        heading=heading, table=pl.DataFrame(rows), paragraphs=(note,) if note else (),
        bullets=tuple(sentences.tile_sentence(t) for t in tiles))


def trend_block(heading: str, trend: pl.DataFrame, *, measure: str, notes: Sequence[str],
                chart_title: str) -> pdf.Block | None:
    """A line chart of a series (``display.series`` / ``attendance.trend`` shape) with its
    figures beside it, period by area, as the page's table prints them."""
    if trend.is_empty():
        return None
    unit = dictionary.unit_of(measure)
    period_labels = trend.sort("order").select("period").unique(maintain_order=True)["period"]
    area_order = charts.ordered_areas(trend["area"].to_list())
    series = []
    for area in area_order:
        found = dict(trend.filter(pl.col("area") == area).select("period", "value").iter_rows())
        series.append((area, tuple(found.get(p) for p in period_labels)))
    texts = display.with_figure_text(trend, unit=unit)
    table = pdf.wide(texts.sort("order"), index="period", columns="area", values="figure",
                     order=area_order).rename({"period": "Period"})
    missing = display.symbol_legend(trend)
    return pdf.Block(
        heading=heading, paragraphs=(chart_title,),
        chart=pdf.Chart("lines", tuple(period_labels), tuple(series),
                        f"{dictionary.label_of(measure)} ({unit})"),
        table=table,
        notes=(*notes, *([f"Not drawn: {missing}."] if missing else [])))


def bars_block(heading: str, frame: pl.DataFrame, *, category: str, series: str, value: str,
               categories_order: Sequence[str], table: pl.DataFrame, y_title: str,
               notes: Sequence[str]) -> pdf.Block | None:
    if frame.is_empty():
        return None
    names = list(dict.fromkeys(frame[series].to_list()))
    drawn = []
    for name in names:
        found = dict(frame.filter(pl.col(series) == name).select(category, value).iter_rows())
        drawn.append((name, tuple(found.get(c) for c in categories_order)))
    return pdf.Block(heading=heading, chart=pdf.Chart("bars", tuple(categories_order),
                                                      tuple(drawn), y_title),
                     table=table, notes=tuple(notes))


def source_note(store: Store, measures: Sequence[str], *, who: str) -> str:
    """'Source: <publication> (loaded <date>). <who>.'"""
    sources = queries.measure_sources(store, tuple(measures))
    found = [f"{publication} (loaded {day(loaded)})" for publication, loaded in
             sources.group_by("publication").agg(pl.col("loaded_at").max()).sort(
                 "publication").iter_rows()]
    return f"Source: {'; '.join(found) or 'no load recorded'}. {who}"


def _scope_line(scope: Scope, settings: Settings) -> str:
    if scope.is_la:
        return "You see every school, with no suppression."
    if not scope.urns:
        return "You see published figures and the partnership members' Ofsted judgements only."
    count = len(scope.urns)
    return (f"School-level figures cover the {count} school{'s' if count != 1 else ''} you may "
            f"see; counts of fewer than {settings.suppression_min_count} pupils, and rates "
            "built on them, are shown as c.")


def _header(store: Store, scope: Scope, settings: Settings, made: datetime) -> tuple[str, ...]:
    who = scope.viewer
    role = ROLES.get(who.role or "", "visitor")
    loaded = queries.last_loaded(store)
    return (
        f"Made for {who.name} ({role}) on {day(made)} at {made:%H:%M}.",
        f"Data last loaded on {day(loaded)}." if loaded else "No data has been loaded yet.",
        _scope_line(scope, settings),
    )


def _pack(store: Store, title: str, lines: tuple[str, ...], blocks: Sequence[pdf.Block | None],
          made: datetime) -> bytes:
    loaded = queries.last_loaded(store)
    footer = (f"{title} · made {day(made)} · data last loaded "
              f"{day(loaded) if loaded else 'never'}")
    return pdf.render(pdf.Pack(
        title=title, lines=lines, blocks=tuple(b for b in blocks if b is not None),
        footer=footer, banner=DEMO_BANNER if queries.is_demo(store) else None,
        meta={"subject": "Oldham Education Partnership board pack"}))


# --- the packs -----------------------------------------------------------------------------------

def borough_pack(store: Store, scope: Scope, settings: Settings, activity: records.Activity, *,
                 made: datetime) -> bytes:
    """The Overview as a pack: headline tiles with comparators, the year-by-year charts, the
    support-category counts and Ofsted grades of the schools the viewer may see, and the
    disengagement list for those allowed it."""
    published = borough_published(store, settings.la_code)
    tiles, year_to_date = borough_tiles(published)
    blocks: list[pdf.Block | None] = [
        tiles_block("Oldham at a glance", tiles, note=source_note(
            store, (*BOROUGH_YEARLY, *BOROUGH_CALENDAR), who=PUBLISHED_WHO)),
        tiles_block("Daily attendance data, the school year so far", year_to_date,
                    note="Not the census absence above: collected differently. " + source_note(
                        store, attendance.YEAR_TO_DATE_MEASURES, who=PUBLISHED_WHO)),
    ]
    yearly = attendance.narrow(published, time_identifier=ACADEMIC_YEAR)
    for measure in BOROUGH_YEARLY:
        label = dictionary.label_of(measure)
        blocks.append(trend_block(
            f"Year by year: {label}", display.series(yearly, measure), measure=measure,
            chart_title=f"{label}: Oldham, England, the North West and statistical neighbours",
            notes=(source_note(store, (measure,), who=PUBLISHED_WHO),)))
    if scope.urns:
        table = categories.category_table(store, scope, settings, activity, on=made.date())
        counts = categories.category_counts(table)
        blocks.append(bars_block(
            "Schools in each support category", counts, category="category", series="kind",
            value="schools", categories_order=(*CATEGORIES, "Not reviewed yet"),
            table=display.people_table(counts, {"category": "Support category",
                                                "kind": "Suggested or agreed",
                                                "schools": "Schools"}),
            y_title="Schools", notes=(
                f"The {table.height} schools you may see, on {day(made)}. Suggested: worked out "
                "by the dashboard from the figures as you see them, under the partnership's "
                "settings. Agreed: the latest review recorded by the LA.",)))
    ofsted = display.ofsted_counts(queries.public_ofsted(store, scope), LISTED)
    blocks.append(bars_block(
        "Latest graded Ofsted judgement", ofsted, category="category", series="area",
        value="value", categories_order=ofsted["category"].to_list(),
        table=display.people_table(ofsted, {"category": "Ofsted grade", "value": "Schools"}),
        y_title="Schools", notes=(
            "Source: the latest Ofsted inspection held for each school you may see named (the "
            "partnership's members' judgements are public).",)))
    if scope.can_see_disengagement_list:
        listed = disengagement.borough_list(activity, store, scope)
        blocks.append(pdf.Block(
            heading=f"Schools at disengagement level {disengagement.LIST_FROM_LEVEL} or above",
            table=display.people_table(listed, {
                "name": "School", "urn": "URN", "phase": "Phase", "level": "Current level",
                "recorded_on": "Since", "suggested_action": "Suggested action"}),
            paragraphs=() if listed.height else (
                f"No school you can see is at level {disengagement.LIST_FROM_LEVEL} or above.",),
            notes=("Source: the partnership's disengagement records (current level of each "
                   "school, as recorded by the LA).",)))
    return _pack(store, "Oldham Education Partnership: borough board pack",
                 _header(store, scope, settings, made), blocks, made)


def school_pack(store: Store, scope: Scope, settings: Settings, activity: records.Activity,
                urn: str, *, made: datetime) -> bytes:
    """A School profile as a pack; ``PackRefused`` for a school the viewer may not see (or that
    does not exist), before anything about it is read."""
    if urn not in scope.urns:
        raise PackRefused("That school is not available to you.")
    schools = attendance.with_phase_names(queries.visible_schools(store, scope))
    school = display.school_record(schools, urn)
    if school is None:
        raise PackRefused("That school is not available to you.")
    name = str(school["name"])
    rows, comparator_phase = school_rows(store, scope, settings.la_code, school)
    who = (f"{name}: the school's own figures"
           + ("." if scope.is_la else f", counts of fewer than {settings.suppression_min_count} "
              "pupils shown as c.")
           + " Oldham and England: the DfE's published figures for "
           + ("all phases." if comparator_phase == TOTAL_PHASE else
              f"{comparator_phase.lower()} schools."))
    facts = pl.DataFrame([{"Fact": label, "Detail": text}
                          for label, text in display.key_facts(school)])
    blocks: list[pdf.Block | None] = [
        pdf.Block(heading="Key facts", table=facts, notes=(
            f"URN {urn}. {display.phase_note(school['phase'], comparator_phase, name)}",)),
        tiles_block("Attendance", display.headline_tiles(
            rows, name, ATTENDANCE_MEASURES, time_period=None, time_identifier=ACADEMIC_YEAR,
            beside=(OLDHAM, ENGLAND)), note=source_note(store, ATTENDANCE_MEASURES, who=who)),
        trend_block("Overall absence year by year",
                    attendance.trend(rows, "overall_absence", ACADEMIC_YEAR),
                    measure="overall_absence", notes=(source_note(
                        store, ("overall_absence",), who=who),),
                    chart_title=f"Overall absence year by year: {name}, Oldham and England"),
        tiles_block("Special educational needs", display.headline_tiles(
            rows, name, send.SHARE_MEASURES, time_period=None, time_identifier=ACADEMIC_YEAR,
            beside=(OLDHAM, ENGLAND)), note=source_note(store, send.SHARE_MEASURES, who=who)),
    ]
    need_rows = queries.sen_needs(store, scope, urns=(urn,))
    if not need_rows.is_empty():
        latest = int(need_rows["time_period"].max())
        needs = send.needs(need_rows, queries.sen_needs_comparators(store),
                           la_code=settings.la_code, time_period=latest, provision=send.ALL_SEN,
                           school_label=name)
        blocks.append(pdf.Block(
            heading=f"Primary type of need, pupils with SEN, {periods.year_label(latest)}",
            table=display.needs_table(needs),
            notes=(f"Source: the school census's SEN figures for {name} (counts of fewer than "
                   f"{settings.suppression_min_count} pupils shown as c below LA level) and "
                   "Oldham's and England's published ones.",)))
    suspension_tiles = display.headline_tiles(
        rows, name, SUSPENSION_RATES, time_period=None, time_identifier=ACADEMIC_YEAR,
        beside=(OLDHAM, ENGLAND))
    suspension_tiles += display.headline_tiles(
        rows, name, SUSPENSION_COUNTS, time_period=None, time_identifier=ACADEMIC_YEAR,
        beside=())
    blocks += [
        tiles_block("Suspensions and permanent exclusions", suspension_tiles,
                    note=source_note(store, (*SUSPENSION_RATES, *SUSPENSION_COUNTS), who=who)),
        trend_block("Suspension rate year by year", display.series(rows, "suspension_rate"),
                    measure="suspension_rate", notes=(source_note(
                        store, ("suspension_rate",), who=who),),
                    chart_title=f"Suspension rate year by year: {name}, Oldham and England"),
    ]
    category = categories.category_table(store, scope, settings, activity,
                                         on=made.date()).filter(pl.col("urn") == urn)
    if not category.is_empty():
        row = category.row(0, named=True)
        blocks.append(pdf.Block(
            heading="Support category",
            paragraphs=(f"Suggested: {row['suggested_category']}. Agreed: "
                        f"{row['agreed_category'] or 'not reviewed yet'}. Change since last "
                        f"review: {row['change_since_review']}.",),
            table=display.people_table(categories.reasons(store, scope, settings, urn,
                                                          on=made.date()),
                                       categories.REASON_COLUMNS),
            notes=(f"Worked out on {day(made)} from the figures as you see them, under the "
                   "partnership's settings; agreed categories from the LA's reviews.",)))
    level = disengagement.current_level(activity, scope, urn)
    if level is not None:
        step = disengagement.LEVELS[level]
        blocks.append(pdf.Block(
            heading="Disengagement",
            paragraphs=(f"Level {level}. {step.meaning} Suggested action: {step.action}",),
            notes=("Source: the partnership's disengagement records.",)))
    return _pack(store, f"School board pack: {name}", _header(store, scope, settings, made),
                 blocks, made)
