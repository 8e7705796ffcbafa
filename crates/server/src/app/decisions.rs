//! Use cases of decisions (quyết định khen thưởng) and the award register: a decision approves
//! or rejects submitted proposals, awards units directly, or revokes; the register keeps who
//! holds what, for which year, by which decision.

use std::collections::{HashMap, HashSet};

use thidua_domain::{
    Error,
    award::{
        AwardState, catalogue,
        decision::{
            Decision, DecisionFacts, DecisionKind, NewDecision, Registered, check_decision,
        },
        past_decisions,
    },
    import::{cell, column},
    periods,
    time::Date,
    unit::{Scheme, UnitRef},
};
use thidua_storage::{RegisterFilter, Store, Tx};

use crate::sheets::{self, Format};

use super::{Idempotency, now};

/// The register lines of `units` and of the predecessors whose record they carry (of `year`,
/// or all), with the lineage links into the units that say whose record is whose: what a
/// register-bound bonus and an entry's prerequisites read.
pub fn carried_register(
    tx: &mut Tx<'_>,
    units: &[UnitRef],
    year: Option<i32>,
) -> Result<(Vec<Registered>, Vec<thidua_domain::lineage::LineageLink>), Error> {
    let links = super::succession::links_along(tx, units, super::succession::Along::Backward)?;
    let mut carriers = units.to_vec();
    carriers.extend(links.iter().map(|l| l.unit.clone()));
    let register = tx.registered(&RegisterFilter {
        units: Some(carriers),
        year,
        ..RegisterFilter::default()
    })?;
    Ok((register, links))
}

/// Records a decision and what it does to the proposals and the register, in one transaction.
/// Returns the decision and the register lines it made or revoked.
pub fn record(
    store: &Store,
    new: NewDecision,
    key: Option<Idempotency>,
) -> Result<(Decision, Vec<Named>), Error> {
    let now = now();
    store.write(|tx| {
        if let Some(id) = Idempotency::replay(key.as_ref(), tx)? {
            let decision = tx
                .decision(&id)?
                .ok_or_else(|| Error::Internal(format!("replayed decision {id} is missing")))?;
            let made = tx.registered(&RegisterFilter {
                decision: Some(id),
                ..RegisterFilter::default()
            })?;
            return Ok((decision, named(tx, made)?));
        }
        if tx.unit(&new.authority)?.is_none() {
            return Err(Error::invalid(
                "decision.authority",
                thidua_domain::words!("unit-does-not-exist", unit = new.authority),
            ));
        }
        let mut proposals = Vec::new();
        for id in new.approve.iter().chain(&new.reject) {
            proposals.extend(tx.award(id)?);
        }
        let found = tx.units_by_id(&new.units)?;
        let unknown: Vec<UnitRef> = new
            .units
            .iter()
            .filter(|u| !found.contains_key(u))
            .cloned()
            .collect();
        let same_number = tx.decision_dates(&new.authority, &new.number)?;
        let held = match new.kind {
            DecisionKind::Revocation => tx.registered(&RegisterFilter {
                units: Some(new.units.clone()),
                year: new.year,
                entry: Some(new.entry.clone()),
                decision: None,
            })?,
            DecisionKind::Award => Vec::new(),
        };
        let year = check_decision(
            &new,
            DecisionFacts {
                catalogues: &super::catalogue::catalogues_in(tx)?,
                proposals: &proposals,
                same_number: &same_number,
                held: &held,
                unknown_units: &unknown,
            },
        )?;
        let decision = Decision {
            id: uuid::Uuid::now_v7().simple().to_string(),
            number: new.number.trim().to_owned(),
            date: new.date,
            authority: new.authority.clone(),
            signer: new.signer.trim().to_owned(),
            entry: new.entry.clone(),
            year,
            kind: new.kind,
            reason: new.reason.trim().to_owned(),
            recorded_at: now,
        };
        tx.insert_decision(&decision)?;
        match new.kind {
            DecisionKind::Award => {
                for mut award in proposals {
                    let approved = new.approve.contains(&award.id);
                    if approved {
                        tx.register(&decision, &award.unit, Some(&award.id))?;
                    }
                    award.state = if approved {
                        AwardState::Awarded
                    } else {
                        AwardState::Rejected
                    };
                    award.decision = Some(decision.id.clone());
                    award.updated_at = now;
                    tx.touch_term(&award.term(), None, now)?;
                    tx.update_award(&award)?;
                }
                for unit in &new.units {
                    tx.register(&decision, unit, None)?;
                }
            }
            DecisionKind::Revocation => {
                for unit in &new.units {
                    tx.revoke_registered(unit, &decision.entry, year, &decision.id)?;
                }
            }
        }
        Idempotency::remember(key.as_ref(), tx, &decision.id, now)?;
        let made = tx.registered(&RegisterFilter {
            decision: Some(decision.id.clone()),
            ..RegisterFilter::default()
        })?;
        Ok((decision, named(tx, made)?))
    })
}

/// The register's lines matching `filter`, each with the unit's name in the year it concerns.
pub fn register(store: &Store, filter: &RegisterFilter) -> Result<Vec<Named>, Error> {
    store.read(|tx| {
        let lines = tx.registered(filter)?;
        named(tx, lines)
    })
}

/// A register line with the names it is shown by.
#[derive(Debug, Clone)]
pub struct Named {
    /// The line.
    pub line: Registered,
    /// The unit's name as it was on the last day of the line's year.
    pub unit_name: String,
    /// The entry's official name in the catalogue version in force for the year.
    pub entry_name: String,
}

/// Each line with its unit's name as it was on the last day of the line's year, and its
/// entry's name in the catalogue in force for that year.
fn named(tx: &mut Tx<'_>, lines: Vec<Registered>) -> Result<Vec<Named>, Error> {
    let ids: Vec<UnitRef> = lines.iter().map(|l| l.unit.clone()).collect();
    let units = tx.units_by_id(&ids)?;
    let periods = tx.periods_of(&ids)?;
    let catalogues = super::catalogue::catalogues_in(tx)?;
    Ok(lines
        .into_iter()
        .map(|l| {
            let current = units.get(&l.unit).map_or("", |u| u.name.as_str());
            let name = match Date::last_of_year(l.decision.year) {
                Some(day) => periods::name_on(
                    current,
                    periods.get(&l.unit).map_or(&[][..], Vec::as_slice),
                    day,
                ),
                None => current,
            }
            .to_owned();
            Named {
                entry_name: catalogues
                    .in_force(l.decision.year)
                    .name_of(&l.decision.entry)
                    .to_owned(),
                line: l,
                unit_name: name,
            }
        })
        .collect())
}

/// The yearly statistical summary of the register (of `year`, or all): for each title and form
/// of the catalogue, in its order, the collectives holding it; revoked lines do not count.
pub fn summarise_register(
    store: &Store,
    year: Option<i32>,
    format: Format,
) -> Result<(Vec<u8>, String), Error> {
    let (lines, catalogues) = store.read(|tx| {
        let lines = tx.registered(&RegisterFilter {
            year,
            ..RegisterFilter::default()
        })?;
        Ok((lines, super::catalogue::catalogues_in(tx)?))
    })?;
    let catalogue = year.map_or_else(|| catalogues.latest(), |y| catalogues.in_force(y));
    let header = [
        "Mã",
        "Danh hiệu thi đua, hình thức khen thưởng",
        "Loại",
        "Cấp",
        "Số tập thể",
    ];
    let rows: Vec<Vec<String>> = catalogue
        .entries
        .iter()
        .map(|e| {
            let held = lines
                .iter()
                .filter(|l| l.counts() && l.decision.entry == e.code)
                .count();
            vec![
                e.code.clone(),
                e.name.clone(),
                match e.kind {
                    catalogue::EntryKind::Title => "Danh hiệu",
                    catalogue::EntryKind::Form => "Hình thức",
                }
                .to_owned(),
                match e.level {
                    catalogue::Level::State => "Nhà nước",
                    catalogue::Level::Province => "Tỉnh",
                    catalogue::Level::Grassroots => "Cơ sở",
                }
                .to_owned(),
                held.to_string(),
            ]
        })
        .collect();
    let content = sheets::write(&header, &rows, format)?;
    let file_name = match year {
        Some(y) => format!("tong-hop-khen-thuong-{y}.{}", format.extension()),
        None => format!("tong-hop-khen-thuong.{}", format.extension()),
    };
    Ok((content, file_name))
}

/// The standing awards of the register (of `year`, or all) as the national records take them:
/// one row per awardee, named as in that year; revoked lines are left out.
pub fn export_register(
    store: &Store,
    year: Option<i32>,
    format: Format,
) -> Result<(Vec<u8>, String), Error> {
    let lines = register(
        store,
        &RegisterFilter {
            year,
            ..RegisterFilter::default()
        },
    )?;
    let header = [
        "Năm",
        "Mã đơn vị",
        "Tên đơn vị",
        "Mã danh hiệu, hình thức",
        "Danh hiệu, hình thức khen thưởng",
        "Số quyết định",
        "Ngày quyết định",
        "Cơ quan quyết định",
    ];
    let rows: Vec<Vec<String>> = lines
        .into_iter()
        .filter(|n| n.line.counts())
        .map(|n| {
            let d = n.line.decision;
            vec![
                d.year.to_string(),
                n.line.unit.key(),
                n.unit_name,
                d.entry.clone(),
                n.entry_name,
                d.number,
                d.date.to_string(),
                d.authority.key(),
            ]
        })
        .collect();
    let content = sheets::write(&header, &rows, format)?;
    let file_name = match year {
        Some(y) => format!("so-khen-thuong-{y}.{}", format.extension()),
        None => format!("so-khen-thuong.{}", format.extension()),
    };
    Ok((content, file_name))
}

/// What a decisions import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportOutcome {
    /// Rows read.
    pub rows: i64,
    /// Decisions recorded.
    pub created: i64,
    /// Decisions already stored, left as they were.
    pub unchanged: i64,
    /// Register lines made.
    pub registered: i64,
}

/// Loads past decisions from a sheet whose unit and authority codes are of `scheme`: the file
/// checked whole, every decision and register line stored in one transaction.
pub fn import(
    store: &Store,
    scheme: Scheme,
    header: &[String],
    lines: &[(u32, Vec<String>)],
    key: Option<Idempotency>,
) -> Result<ImportOutcome, Error> {
    let now = now();
    store.write(|tx| {
        if let Some(outcome) = Idempotency::replay_outcome::<ImportOutcome>(key.as_ref(), tx)? {
            return Ok(outcome);
        }
        let (unit, authority) = (column(header, "unit_code"), column(header, "authority"));
        let named: Vec<UnitRef> = lines
            .iter()
            .flat_map(|(_, cells)| [cell(cells, unit), cell(cells, authority)])
            .map(|code| UnitRef::new(scheme, code))
            .collect();
        let units: HashSet<String> = tx
            .units_by_id(&named)?
            .into_keys()
            .map(|u| u.code)
            .collect();
        let number = column(header, "number");
        let mut stored = HashMap::new();
        for (_, cells) in lines {
            let (n, a) = (cell(cells, number), cell(cells, authority));
            if let Some(date) = tx
                .decision_dates(&UnitRef::new(scheme, &a), &n)?
                .into_iter()
                .next()
            {
                stored.insert((a, n), date);
            }
        }
        let catalogues = super::catalogue::catalogues_in(tx)?;
        let plan = past_decisions::plan(header, lines, &units, &stored, &catalogues)?;
        let mut outcome = ImportOutcome {
            rows: i64::try_from(lines.len()).unwrap_or(i64::MAX),
            ..ImportOutcome::default()
        };
        for past in plan {
            if past.stored {
                outcome.unchanged += 1;
                continue;
            }
            let decision = Decision {
                id: uuid::Uuid::now_v7().simple().to_string(),
                number: past.number,
                date: past.date,
                authority: UnitRef::new(scheme, &past.authority),
                signer: past.signer,
                entry: past.entry,
                year: past.year,
                kind: DecisionKind::Award,
                reason: "Nhập từ hồ sơ quyết định các năm trước".into(),
                recorded_at: now,
            };
            tx.insert_decision(&decision)?;
            for code in &past.units {
                tx.register(&decision, &UnitRef::new(scheme, code), None)?;
                outcome.registered += 1;
            }
            outcome.created += 1;
        }
        Idempotency::remember_outcome(key.as_ref(), tx, &outcome, now)?;
        Ok(outcome)
    })
}
