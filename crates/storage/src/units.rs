//! Units and their lineage links.

use std::collections::HashMap;

use diesel::prelude::*;
use thidua_domain::{
    Error,
    lineage::{LineageKind, LineageLink, Share},
    names::TermName,
    term::Period,
    text::search_key,
    time::{Date, Timestamp, Validity},
    unit::{Scheme, Unit, UnitDraft, UnitKind, UnitRef},
};

use crate::{
    Page, PageRequest, Tx,
    connection::per_backend,
    errors::{corrupt, db, is_unique_violation},
    schema::{lineage_links, term_members, terms, units},
};

/// Rows per multi-row INSERT: 12 columns × 500 stays under SQLite's bound-parameter limit.
const INSERT_CHUNK: usize = 500;

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = units, treat_none_as_null = true)]
struct UnitRow {
    id: String,
    scheme: String,
    code: String,
    name: String,
    name_key: String,
    kind: String,
    parent_id: Option<String>,
    valid_from: Option<String>,
    valid_to: Option<String>,
    created_at: i64,
    updated_at: i64,
    version: i64,
}

impl UnitRow {
    fn new(d: &UnitDraft, now: Timestamp) -> Self {
        Self {
            id: d.id.key(),
            scheme: d.id.scheme.as_str().to_owned(),
            code: d.id.code.clone(),
            name: d.name.clone(),
            name_key: search_key(&d.name),
            kind: d.kind.as_str().to_owned(),
            parent_id: d.parent.as_ref().map(UnitRef::key),
            valid_from: d.validity.from.map(|d| d.to_string()),
            valid_to: d.validity.to.map(|d| d.to_string()),
            created_at: now.0,
            updated_at: now.0,
            version: 1,
        }
    }

    fn into_domain(self) -> Result<Unit, Error> {
        let scheme: Scheme = self
            .scheme
            .parse()
            .map_err(|()| corrupt("scheme", &self.scheme))?;
        let kind = UnitKind::parse_field("kind", &self.kind)
            .map_err(|_| corrupt("unit kind", &self.kind))?;
        Ok(Unit {
            id: UnitRef::new(scheme, self.code),
            name: self.name,
            kind,
            parent: self.parent_id.as_deref().map(parse_key).transpose()?,
            validity: Validity {
                from: parse_date(self.valid_from.as_deref())?,
                to: parse_date(self.valid_to.as_deref())?,
            },
            created_at: Timestamp(self.created_at),
            updated_at: Timestamp(self.updated_at),
            version: self.version,
        })
    }
}

pub(crate) fn parse_key(key: &str) -> Result<UnitRef, Error> {
    UnitRef::parse_key("unit", key).map_err(|_| corrupt("unit id", key))
}

pub(crate) fn parse_date(value: Option<&str>) -> Result<Option<Date>, Error> {
    value
        .map(|s| s.parse().map_err(|_| corrupt("date", s)))
        .transpose()
}

/// Filters of a unit listing; all optional and combined with AND.
#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    /// Only this scheme.
    pub scheme: Option<Scheme>,
    /// Only children of this unit.
    pub parent: Option<UnitRef>,
    /// Only this kind.
    pub kind: Option<UnitKind>,
    /// Only units existing on this date.
    pub valid_on: Option<Date>,
    /// Folded search text: names containing it, or the exact code.
    pub search: Option<String>,
}

impl Tx<'_> {
    /// One unit.
    pub fn unit(&mut self, id: &UnitRef) -> Result<Option<Unit>, Error> {
        units::table
            .find(id.key())
            .select(UnitRow::as_select())
            .get_result(self.conn)
            .optional()
            .map_err(db)?
            .map(UnitRow::into_domain)
            .transpose()
    }

    /// One unit, or `NotFound`.
    pub fn existing_unit(&mut self, id: &UnitRef) -> Result<Unit, Error> {
        self.unit(id)?.ok_or_else(|| Error::NotFound {
            resource: id.to_string(),
        })
    }

    /// Several units by id; missing ones are absent from the map.
    pub fn units_by_id(&mut self, ids: &[UnitRef]) -> Result<HashMap<UnitRef, Unit>, Error> {
        let mut out = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(INSERT_CHUNK) {
            let keys: Vec<String> = chunk.iter().map(UnitRef::key).collect();
            let rows: Vec<UnitRow> = units::table
                .filter(units::id.eq_any(keys))
                .select(UnitRow::as_select())
                .load(self.conn)
                .map_err(db)?;
            for row in rows {
                let unit = row.into_domain()?;
                out.insert(unit.id.clone(), unit);
            }
        }
        Ok(out)
    }

    /// Every unit of a scheme, by code (for imports, which check a whole list at once).
    pub fn units_of_scheme(&mut self, scheme: Scheme) -> Result<HashMap<String, Unit>, Error> {
        let rows: Vec<UnitRow> = units::table
            .filter(units::scheme.eq(scheme.as_str()))
            .select(UnitRow::as_select())
            .load(self.conn)
            .map_err(db)?;
        rows.into_iter()
            .map(|r| r.into_domain().map(|u| (u.id.code.clone(), u)))
            .collect()
    }

    /// Creates one unit; `AlreadyExists` when its code is taken in its scheme.
    pub fn insert_unit(&mut self, draft: &UnitDraft, now: Timestamp) -> Result<Unit, Error> {
        diesel::insert_into(units::table)
            .values(UnitRow::new(draft, now))
            .execute(self.conn)
            .map_err(|e| {
                if is_unique_violation(&e) {
                    Error::AlreadyExists {
                        resource: draft.id.to_string(),
                        reason: thidua_domain::Reason::AlreadyExists,
                        description: thidua_domain::words!("already-exists", resource = draft.id),
                    }
                } else {
                    db(e)
                }
            })?;
        self.existing_unit(&draft.id)
    }

    /// Creates many units in multi-row statements, parents first as given.
    pub fn insert_units(&mut self, drafts: &[UnitDraft], now: Timestamp) -> Result<(), Error> {
        for chunk in drafts.chunks(INSERT_CHUNK) {
            let rows: Vec<UnitRow> = chunk.iter().map(|d| UnitRow::new(d, now)).collect();
            per_backend!(self.conn, |c| diesel::insert_into(units::table)
                .values(&rows)
                .execute(c))
            .map_err(db)?;
        }
        Ok(())
    }

    /// Replaces a unit's content if its version is still `expected_version`.
    pub fn update_unit(
        &mut self,
        draft: &UnitDraft,
        expected_version: i64,
        now: Timestamp,
    ) -> Result<Unit, Error> {
        let updated = diesel::update(
            units::table
                .filter(units::id.eq(draft.id.key()))
                .filter(units::version.eq(expected_version)),
        )
        .set((
            units::name.eq(&draft.name),
            units::name_key.eq(search_key(&draft.name)),
            units::kind.eq(draft.kind.as_str()),
            units::parent_id.eq(draft.parent.as_ref().map(UnitRef::key)),
            units::valid_from.eq(draft.validity.from.map(|d| d.to_string())),
            units::valid_to.eq(draft.validity.to.map(|d| d.to_string())),
            units::updated_at.eq(now.0),
            units::version.eq(expected_version + 1),
        ))
        .execute(self.conn)
        .map_err(db)?;
        if updated == 0 {
            return Err(Error::Aborted {
                resource: draft.id.to_string(),
            });
        }
        // A member's name shows on its terms' scoreboards: each term's version moves, so a
        // board kept in any server process is read again.
        let terms: Vec<(String, i32)> = term_members::table
            .filter(term_members::unit_id.eq(draft.id.key()))
            .select((term_members::cluster_id, term_members::year))
            .distinct()
            .load(self.conn)
            .map_err(db)?;
        for (cluster_id, year) in terms {
            self.touch_term(&TermName::new(&cluster_id, year), None, now)?;
        }
        self.existing_unit(&draft.id)
    }

    /// A page of units in id order (scheme, then code).
    pub fn list_units(
        &mut self,
        filter: &UnitFilter,
        page: &PageRequest,
    ) -> Result<Page<Unit>, Error> {
        let mut query = units::table.select(UnitRow::as_select()).into_boxed();
        if let Some(scheme) = filter.scheme {
            query = query.filter(units::scheme.eq(scheme.as_str()));
        }
        if let Some(parent) = &filter.parent {
            query = query.filter(units::parent_id.eq(parent.key()));
        }
        if let Some(kind) = filter.kind {
            query = query.filter(units::kind.eq(kind.as_str()));
        }
        if let Some(date) = filter.valid_on {
            let d = date.to_string();
            query = query
                .filter(
                    units::valid_from
                        .is_null()
                        .or(units::valid_from.le(d.clone())),
                )
                .filter(units::valid_to.is_null().or(units::valid_to.gt(d)));
        }
        if let Some(search) = &filter.search {
            let key = search_key(search).replace(['%', '_', '\\'], "");
            query = query.filter(
                units::name_key
                    .like(format!("%{key}%"))
                    .or(units::code.eq(search.trim().to_owned())),
            );
        }
        if let Some(after) = &page.after {
            query = query.filter(units::id.gt(after.clone()));
        }
        let rows: Vec<UnitRow> = query
            .order(units::id)
            .limit(page.limit + 1)
            .load(self.conn)
            .map_err(db)?;
        page_of(rows, page.limit, |r| r.id.clone(), UnitRow::into_domain)
    }

    /// The terms `unit` is a member of, with their periods.
    pub fn member_terms(&mut self, unit: &UnitRef) -> Result<Vec<(TermName, Period)>, Error> {
        let rows: Vec<(String, i32, String, String)> = term_members::table
            .inner_join(
                terms::table.on(terms::cluster_id
                    .eq(term_members::cluster_id)
                    .and(terms::year.eq(term_members::year))),
            )
            .filter(term_members::unit_id.eq(unit.key()))
            .select((
                terms::cluster_id,
                terms::year,
                terms::start_date,
                terms::end_date,
            ))
            .order((terms::year, terms::cluster_id))
            .load(self.conn)
            .map_err(db)?;
        rows.into_iter()
            .map(|(cluster, year, start, end)| {
                let day = |text: &str| text.parse().map_err(|_| corrupt("date", text));
                let period = Period {
                    start: day(&start)?,
                    end: day(&end)?,
                };
                Ok((TermName::new(&cluster, year), period))
            })
            .collect()
    }

    /// Records a lineage link.
    pub fn insert_link(&mut self, link: &LineageLink) -> Result<(), Error> {
        diesel::insert_into(lineage_links::table)
            .values((
                lineage_links::id.eq(&link.id),
                lineage_links::kind.eq(link.kind.as_str()),
                lineage_links::unit_id.eq(link.unit.key()),
                lineage_links::related_unit_id.eq(link.related.key()),
                lineage_links::legal_act.eq(&link.legal_act),
                lineage_links::effective_date.eq(link.effective_date.to_string()),
                lineage_links::note.eq(&link.note),
                lineage_links::created_at.eq(link.created_at.0),
                lineage_links::share.eq(link.share.as_str()),
            ))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }

    /// The stored link with the same units, kind and date as `link`, if any: a link is
    /// recorded once, whatever request sends it again.
    pub fn same_link(&mut self, link: &LineageLink) -> Result<Option<LineageLink>, Error> {
        let row: Option<LinkRow> = lineage_links::table
            .filter(lineage_links::unit_id.eq(link.unit.key()))
            .filter(lineage_links::related_unit_id.eq(link.related.key()))
            .filter(lineage_links::kind.eq(link.kind.as_str()))
            .filter(lineage_links::effective_date.eq(link.effective_date.to_string()))
            .first(self.conn)
            .optional()
            .map_err(db)?;
        row.map(LinkRow::into_domain).transpose()
    }

    /// The links whose subject is one of `units`.
    pub fn links_from(&mut self, units: &[UnitRef]) -> Result<Vec<LineageLink>, Error> {
        let mut out = Vec::new();
        for chunk in units.chunks(INSERT_CHUNK) {
            let keys: Vec<String> = chunk.iter().map(UnitRef::key).collect();
            let rows: Vec<LinkRow> = lineage_links::table
                .filter(lineage_links::unit_id.eq_any(keys))
                .load(self.conn)
                .map_err(db)?;
            for row in rows {
                out.push(row.into_domain()?);
            }
        }
        Ok(out)
    }

    /// The links whose related unit is one of `units` (what they came from).
    pub fn links_to(&mut self, units: &[UnitRef]) -> Result<Vec<LineageLink>, Error> {
        let mut out = Vec::new();
        for chunk in units.chunks(INSERT_CHUNK) {
            let keys: Vec<String> = chunk.iter().map(UnitRef::key).collect();
            let rows: Vec<LinkRow> = lineage_links::table
                .filter(lineage_links::related_unit_id.eq_any(keys))
                .load(self.conn)
                .map_err(db)?;
            for row in rows {
                out.push(row.into_domain()?);
            }
        }
        Ok(out)
    }

    /// Ends the validity of `units` on `date` (those still open-ended), moving their versions;
    /// returns how many ended.
    pub fn end_units(
        &mut self,
        units: &[UnitRef],
        date: Date,
        now: Timestamp,
    ) -> Result<usize, Error> {
        let mut ended = 0;
        for chunk in units.chunks(INSERT_CHUNK) {
            let keys: Vec<String> = chunk.iter().map(UnitRef::key).collect();
            ended += diesel::update(
                units::table
                    .filter(units::id.eq_any(keys))
                    .filter(units::valid_to.is_null()),
            )
            .set((
                units::valid_to.eq(date.to_string()),
                units::updated_at.eq(now.0),
                units::version.eq(units::version + 1),
            ))
            .execute(self.conn)
            .map_err(db)?;
        }
        Ok(ended)
    }

    /// One lineage link by id.
    pub fn link(&mut self, id: &str) -> Result<Option<LineageLink>, Error> {
        let row: Option<LinkRow> = lineage_links::table
            .find(id)
            .get_result(self.conn)
            .optional()
            .map_err(db)?;
        row.map(LinkRow::into_domain).transpose()
    }

    /// The links in which `unit` takes part, by effective date.
    pub fn links_of(&mut self, unit: &UnitRef) -> Result<Vec<LineageLink>, Error> {
        let key = unit.key();
        let rows: Vec<LinkRow> = lineage_links::table
            .filter(
                lineage_links::unit_id
                    .eq(&key)
                    .or(lineage_links::related_unit_id.eq(&key)),
            )
            .order((lineage_links::effective_date, lineage_links::id))
            .load(self.conn)
            .map_err(db)?;
        rows.into_iter().map(LinkRow::into_domain).collect()
    }
}

#[derive(Queryable)]
struct LinkRow {
    id: String,
    kind: String,
    unit_id: String,
    related_unit_id: String,
    legal_act: String,
    effective_date: String,
    note: String,
    created_at: i64,
    share: String,
}

impl LinkRow {
    fn into_domain(self) -> Result<LineageLink, Error> {
        Ok(LineageLink {
            kind: self
                .kind
                .parse::<LineageKind>()
                .map_err(|()| corrupt("lineage kind", &self.kind))?,
            unit: parse_key(&self.unit_id)?,
            related: parse_key(&self.related_unit_id)?,
            share: self
                .share
                .parse::<Share>()
                .map_err(|()| corrupt("lineage share", &self.share))?,
            legal_act: self.legal_act,
            effective_date: self
                .effective_date
                .parse()
                .map_err(|_| corrupt("date", &self.effective_date))?,
            note: self.note,
            created_at: Timestamp(self.created_at),
            id: self.id,
        })
    }
}

/// Turns `limit + 1` fetched rows into a page: the extra row only says another page exists.
pub(crate) fn page_of<R, T>(
    mut rows: Vec<R>,
    limit: i64,
    key: impl Fn(&R) -> String,
    convert: impl Fn(R) -> Result<T, Error>,
) -> Result<Page<T>, Error> {
    let limit = usize::try_from(limit).unwrap_or(0);
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(key)
    } else {
        None
    };
    let items = rows.into_iter().map(convert).collect::<Result<_, _>>()?;
    Ok(Page { items, next })
}
