//! Terms, their members and leadership records.

use diesel::prelude::*;
use thidua_domain::{
    Error, Reason,
    cluster::Cluster,
    covenant::CovenantStatus,
    names::TermName,
    term::{Leadership, Member, Period, Term},
    time::Timestamp,
    unit::UnitRef,
};

use crate::{
    Page, PageRequest, Tx,
    connection::per_backend,
    errors::{corrupt, db, is_unique_violation},
    schema::{covenant_signatures, covenants, leadership_records, term_members, terms},
    units::{page_of, parse_date, parse_key},
};

#[derive(Queryable)]
struct TermRow {
    cluster_id: String,
    year: i32,
    start_date: String,
    end_date: String,
    _cluster_kind: String,
    organiser_id: String,
    created_at: i64,
    updated_at: i64,
    version: i64,
    table_id: Option<String>,
    table_number: Option<i32>,
    stage: String,
}

/// A member's unit, position, current name and whether it has earlier periods.
type MemberRow = (String, i32, Option<String>, Option<bool>);

#[derive(Queryable)]
struct LeadershipRow {
    _cluster_id: String,
    _year: i32,
    _seq: i32,
    leader_id: Option<String>,
    deputy_ids: String,
    method: String,
    deciding_act: String,
    decided_on: Option<String>,
    recorded_at: i64,
}

impl LeadershipRow {
    fn into_domain(self) -> Result<Leadership, Error> {
        let deputies: Vec<String> = serde_json::from_str(&self.deputy_ids)
            .map_err(|_| corrupt("deputy list", &self.deputy_ids))?;
        Ok(Leadership {
            leader: self.leader_id.as_deref().map(parse_key).transpose()?,
            deputies: deputies
                .iter()
                .map(|k| parse_key(k))
                .collect::<Result<_, _>>()?,
            method: self
                .method
                .parse()
                .map_err(|()| corrupt("leadership method", &self.method))?,
            deciding_act: self.deciding_act,
            decided_on: parse_date(self.decided_on.as_deref())?,
            recorded_at: Timestamp(self.recorded_at),
        })
    }
}

impl Tx<'_> {
    /// Creates a term with its members (rotation order as given) and an empty draft covenant.
    /// `organiser` is the one of the year (the cluster's, or before a transfer its predecessor).
    pub fn insert_term(
        &mut self,
        cluster: &Cluster,
        organiser: &UnitRef,
        year: i32,
        period: Period,
        members: &[UnitRef],
        now: Timestamp,
    ) -> Result<(), Error> {
        diesel::insert_into(terms::table)
            .values((
                terms::cluster_id.eq(&cluster.id),
                terms::year.eq(year),
                terms::start_date.eq(period.start.to_string()),
                terms::end_date.eq(period.end.to_string()),
                terms::cluster_kind.eq(cluster.kind.as_str()),
                terms::organiser_id.eq(organiser.key()),
                terms::created_at.eq(now.0),
                terms::updated_at.eq(now.0),
                terms::version.eq(1_i64),
            ))
            .execute(self.conn)
            .map_err(|e| {
                if is_unique_violation(&e) {
                    let resource = TermName::new(&cluster.id, year).to_string();
                    Error::AlreadyExists {
                        description: thidua_domain::words!("already-exists", resource = resource),
                        resource,
                        reason: Reason::TermExists,
                    }
                } else {
                    db(e)
                }
            })?;
        for (unit, position) in members.iter().zip(1..) {
            self.insert_member(cluster, organiser, year, unit, position)?;
        }
        diesel::insert_into(covenants::table)
            .values((
                covenants::cluster_id.eq(&cluster.id),
                covenants::year.eq(year),
                covenants::theme.eq(""),
                covenants::body.eq(""),
                covenants::commitments.eq("[]"),
                covenants::place.eq(""),
                covenants::updated_at.eq(now.0),
                covenants::version.eq(1_i64),
            ))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }

    fn insert_member(
        &mut self,
        cluster: &Cluster,
        organiser: &UnitRef,
        year: i32,
        unit: &UnitRef,
        position: i32,
    ) -> Result<(), Error> {
        diesel::insert_into(term_members::table)
            .values((
                term_members::cluster_id.eq(&cluster.id),
                term_members::year.eq(year),
                term_members::unit_id.eq(unit.key()),
                term_members::position.eq(position),
                term_members::cluster_kind.eq(cluster.kind.as_str()),
                term_members::organiser_id.eq(organiser.key()),
            ))
            .execute(self.conn)
            .map_err(|e| {
                if is_unique_violation(&e) {
                    Error::precondition(
                        Reason::UnitInAnotherTerm,
                        unit.to_string(),
                        format!("{unit} is already a member of a {} term of {year} under this organiser", cluster.kind),
                    )
                } else {
                    db(e)
                }
            })?;
        Ok(())
    }

    /// Adds a member at the end of the rotation order of the term of `year`, organised by
    /// `organiser`.
    pub fn add_member(
        &mut self,
        cluster: &Cluster,
        organiser: &UnitRef,
        year: i32,
        unit: &UnitRef,
    ) -> Result<(), Error> {
        let last: Option<i32> = term_members::table
            .filter(term_members::cluster_id.eq(&cluster.id))
            .filter(term_members::year.eq(year))
            .select(diesel::dsl::max(term_members::position))
            .get_result(self.conn)
            .map_err(db)?;
        self.insert_member(cluster, organiser, year, unit, last.unwrap_or(0) + 1)
    }

    /// Removes a member.
    pub fn remove_member(&mut self, term: &TermName, unit: &UnitRef) -> Result<(), Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        diesel::delete(
            term_members::table
                .filter(term_members::cluster_id.eq(cluster_id))
                .filter(term_members::year.eq(year))
                .filter(term_members::unit_id.eq(unit.key())),
        )
        .execute(self.conn)
        .map_err(db)?;
        Ok(())
    }

    /// The terms in which `units` are members in `year` for clusters of `cluster`'s kind under
    /// `organiser`, other than `cluster`: (unit, term resource).
    pub fn conflicting_memberships(
        &mut self,
        units: &[UnitRef],
        year: i32,
        cluster: &Cluster,
        organiser: &UnitRef,
    ) -> Result<Vec<(UnitRef, String)>, Error> {
        let keys: Vec<String> = units.iter().map(UnitRef::key).collect();
        let rows: Vec<(String, String)> = term_members::table
            .filter(term_members::unit_id.eq_any(keys))
            .filter(term_members::year.eq(year))
            .filter(term_members::cluster_kind.eq(cluster.kind.as_str()))
            .filter(term_members::organiser_id.eq(organiser.key()))
            .filter(term_members::cluster_id.ne(&cluster.id))
            .select((term_members::unit_id, term_members::cluster_id))
            .order(term_members::unit_id)
            .load(self.conn)
            .map_err(db)?;
        rows.into_iter()
            .map(|(u, c)| Ok((parse_key(&u)?, TermName::new(&c, year).to_string())))
            .collect()
    }

    /// Bumps a term's version, checking `expected` when given; `Aborted` when stale. Without
    /// `expected` the bump is one atomic increment: on PostgreSQL a concurrent writer of the
    /// same term waits for this one's commit and then bumps past it, instead of finding the
    /// version it read gone and failing with a stale etag it never sent.
    pub fn touch_term(
        &mut self,
        term: &TermName,
        expected: Option<i64>,
        now: Timestamp,
    ) -> Result<(), Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        let row = terms::table
            .filter(terms::cluster_id.eq(cluster_id))
            .filter(terms::year.eq(year));
        let updated = match expected {
            Some(e) => diesel::update(row.filter(terms::version.eq(e)))
                .set((terms::version.eq(e + 1), terms::updated_at.eq(now.0)))
                .execute(self.conn),
            None => diesel::update(row)
                .set((
                    terms::version.eq(terms::version + 1),
                    terms::updated_at.eq(now.0),
                ))
                .execute(self.conn),
        }
        .map_err(db)?;
        if updated == 0 {
            // No such term (its absence reported as such), or a stale `expected`.
            self.term_version(term)?;
            return Err(Error::Aborted {
                resource: term.to_string(),
            });
        }
        self.record_change(term);
        Ok(())
    }

    /// Appends a leadership record.
    pub fn insert_leadership(&mut self, term: &TermName, l: &Leadership) -> Result<(), Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        let count: i64 = leadership_records::table
            .filter(leadership_records::cluster_id.eq(cluster_id))
            .filter(leadership_records::year.eq(year))
            .count()
            .get_result(self.conn)
            .map_err(db)?;
        let deputies: Vec<String> = l.deputies.iter().map(UnitRef::key).collect();
        let deputies =
            serde_json::to_string(&deputies).map_err(|e| Error::Internal(e.to_string()))?;
        diesel::insert_into(leadership_records::table)
            .values((
                leadership_records::cluster_id.eq(cluster_id),
                leadership_records::year.eq(year),
                leadership_records::seq
                    .eq(i32::try_from(count + 1).map_err(|e| Error::Internal(e.to_string()))?),
                leadership_records::leader_id.eq(l.leader.as_ref().map(UnitRef::key)),
                leadership_records::deputy_ids.eq(deputies),
                leadership_records::method.eq(l.method.as_str()),
                leadership_records::deciding_act.eq(&l.deciding_act),
                leadership_records::decided_on.eq(l.decided_on.map(|d| d.to_string())),
                leadership_records::recorded_at.eq(l.recorded_at.0),
            ))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }

    /// One term with members, leadership history and covenant status.
    pub fn term(&mut self, term: &TermName) -> Result<Option<Term>, Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        // Scoring reads a term per scoreboard: its statements run on the concrete connection
        // (see `per_backend`).
        let row: Option<TermRow> = per_backend!(&mut *self.conn, |c| terms::table
            .find((cluster_id, year))
            .get_result(c)
            .optional())
        .map_err(db)?;
        row.map(|r| self.complete_term(r)).transpose()
    }

    /// A term's version, bumped by every change to it or to what it scores (results, score
    /// layers, targets, stage, policy, tie decisions); `NotFound` without the term.
    pub fn term_version(&mut self, term: &TermName) -> Result<i64, Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        terms::table
            .find((cluster_id, year))
            .select(terms::version)
            .get_result(self.conn)
            .optional()
            .map_err(db)?
            .ok_or_else(|| Error::NotFound {
                resource: term.to_string(),
            })
    }

    /// One term, or `NotFound`.
    pub fn existing_term(&mut self, term: &TermName) -> Result<Term, Error> {
        self.term(term)?.ok_or_else(|| Error::NotFound {
            resource: term.to_string(),
        })
    }

    fn complete_term(&mut self, r: TermRow) -> Result<Term, Error> {
        // Members with their names in one query (a member's unit always exists: foreign key).
        // A renamed unit (flagged) shows the name it bore on the term's last day
        // (`periods::name_on`), read in a second query only when a member has earlier periods.
        // Sorted by position here rather than by the database, which spares SQLite a
        // temporary B-tree per term (`EXPLAIN QUERY PLAN`): the key does not start with it.
        let mut member_rows: Vec<MemberRow> =
            per_backend!(&mut *self.conn, |c| term_members::table
                .left_join(
                    crate::schema::units::table
                        .on(crate::schema::units::id.eq(term_members::unit_id)),
                )
                .filter(term_members::cluster_id.eq(&r.cluster_id))
                .filter(term_members::year.eq(r.year))
                .select((
                    term_members::unit_id,
                    term_members::position,
                    crate::schema::units::name.nullable(),
                    crate::schema::units::has_past_periods.nullable(),
                ))
                .load(c))
            .map_err(db)?;
        member_rows.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        let mut members = member_rows
            .iter()
            .map(|(key, position, name, _)| {
                Ok(Member {
                    unit: parse_key(key)?,
                    name: name.clone().unwrap_or_default(),
                    position: *position,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let renamed: Vec<UnitRef> = members
            .iter()
            .zip(&member_rows)
            .filter(|(_, row)| row.3 == Some(true))
            .map(|(m, _)| m.unit.clone())
            .collect();
        if !renamed.is_empty() {
            let last_day = r
                .end_date
                .parse()
                .map_err(|_| corrupt("date", &r.end_date))?;
            let periods = self.periods_of(&renamed)?;
            for m in &mut members {
                if let Some(p) = periods.get(&m.unit) {
                    m.name = thidua_domain::periods::name_on(&m.name, p, last_day).to_owned();
                }
            }
        }
        let leadership_rows: Vec<LeadershipRow> =
            per_backend!(&mut *self.conn, |c| leadership_records::table
                .filter(leadership_records::cluster_id.eq(&r.cluster_id))
                .filter(leadership_records::year.eq(r.year))
                .order(leadership_records::seq)
                .load(c))
            .map_err(db)?;
        let signed: i64 = per_backend!(&mut *self.conn, |c| covenant_signatures::table
            .filter(covenant_signatures::cluster_id.eq(&r.cluster_id))
            .filter(covenant_signatures::year.eq(r.year))
            .count()
            .get_result(c))
        .map_err(db)?;
        let period = Period {
            start: r
                .start_date
                .parse()
                .map_err(|_| corrupt("date", &r.start_date))?,
            end: r
                .end_date
                .parse()
                .map_err(|_| corrupt("date", &r.end_date))?,
        };
        Ok(Term {
            covenant_status: CovenantStatus::of(
                members.len(),
                usize::try_from(signed).unwrap_or(0),
            ),
            organiser: parse_key(&r.organiser_id)?,
            cluster_id: r.cluster_id,
            year: r.year,
            period,
            members,
            leadership_history: leadership_rows
                .into_iter()
                .map(LeadershipRow::into_domain)
                .collect::<Result<_, _>>()?,
            table: r.table_id.zip(r.table_number),
            stage: r.stage.parse().map_err(|()| corrupt("stage", &r.stage))?,
            created_at: Timestamp(r.created_at),
            updated_at: Timestamp(r.updated_at),
            version: r.version,
        })
    }

    /// The terms `organiser` organised in `year`, across its clusters.
    pub fn organiser_terms(
        &mut self,
        organiser: &UnitRef,
        year: i32,
    ) -> Result<Vec<TermName>, Error> {
        let clusters: Vec<String> = terms::table
            .filter(terms::organiser_id.eq(organiser.key()))
            .filter(terms::year.eq(year))
            .order(terms::cluster_id)
            .select(terms::cluster_id)
            .load(self.conn)
            .map_err(db)?;
        Ok(clusters.iter().map(|c| TermName::new(c, year)).collect())
    }

    /// A page of a cluster's terms, newest first.
    pub fn list_terms(
        &mut self,
        cluster_id: &str,
        page: &PageRequest,
    ) -> Result<Page<Term>, Error> {
        let mut query = terms::table
            .filter(terms::cluster_id.eq(cluster_id))
            .into_boxed();
        if let Some(after) = &page.after {
            let year: i32 = after
                .parse()
                .map_err(|_| Error::invalid("page_token", "not a token of this listing"))?;
            query = query.filter(terms::year.lt(year));
        }
        let rows: Vec<TermRow> = query
            .order(terms::year.desc())
            .limit(page.limit + 1)
            .load(self.conn)
            .map_err(db)?;
        let page = page_of(rows, page.limit, |r| r.year.to_string(), Ok)?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|r| self.complete_term(r))
                .collect::<Result<_, _>>()?,
            next: page.next,
        })
    }
}
