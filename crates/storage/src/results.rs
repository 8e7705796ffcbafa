//! Stages, reported results and layer scores of terms.

use diesel::prelude::*;
use thidua_domain::{
    Error, decimal,
    names::TermName,
    results::{Layer, LayerScore, ReportedResult},
    stage::Stage,
    time::{Date, Timestamp},
    unit::UnitRef,
};

use crate::{
    Tx,
    connection::per_backend,
    errors::{corrupt, db},
    latest::{entry_cells, parse_entry},
    schema::{layer_scores, results, stage_deadlines, stage_events, terms},
    units::parse_key,
};

type ResultCells = (
    String,
    String,
    i32,
    String,
    String,
    String,
    String,
    String,
    i64,
);
type ScoreCells = (String, String, String, i32, String, String, i64);

impl Tx<'_> {
    /// Sets (replaces) a stage's deadline.
    pub fn set_deadline(
        &mut self,
        term: &TermName,
        stage: Stage,
        deadline: Date,
    ) -> Result<(), Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        diesel::delete(
            stage_deadlines::table
                .filter(stage_deadlines::cluster_id.eq(cluster_id))
                .filter(stage_deadlines::year.eq(year))
                .filter(stage_deadlines::stage.eq(stage.as_str())),
        )
        .execute(self.conn)
        .map_err(db)?;
        diesel::insert_into(stage_deadlines::table)
            .values((
                stage_deadlines::cluster_id.eq(cluster_id),
                stage_deadlines::year.eq(year),
                stage_deadlines::stage.eq(stage.as_str()),
                stage_deadlines::deadline.eq(deadline.to_string()),
            ))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }

    /// A term's deadlines, in stage order.
    pub fn deadlines(&mut self, term: &TermName) -> Result<Vec<(Stage, Date)>, Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        let rows: Vec<(String, String)> = stage_deadlines::table
            .filter(stage_deadlines::cluster_id.eq(cluster_id))
            .filter(stage_deadlines::year.eq(year))
            .select((stage_deadlines::stage, stage_deadlines::deadline))
            .load(self.conn)
            .map_err(db)?;
        let mut out = rows
            .into_iter()
            .map(|(s, d)| {
                Ok((
                    s.parse::<Stage>().map_err(|()| corrupt("stage", &s))?,
                    d.parse::<Date>().map_err(|_| corrupt("date", &d))?,
                ))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        out.sort();
        Ok(out)
    }

    /// Moves a term to `to`, recording the move and its reason.
    pub fn set_stage(
        &mut self,
        term: &TermName,
        from: Stage,
        to: Stage,
        reason: &str,
        now: Timestamp,
    ) -> Result<(), Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        let updated = diesel::update(
            terms::table
                .filter(terms::cluster_id.eq(cluster_id))
                .filter(terms::year.eq(year))
                .filter(terms::stage.eq(from.as_str())),
        )
        .set((
            terms::stage.eq(to.as_str()),
            terms::version.eq(terms::version + 1),
            terms::updated_at.eq(now.0),
        ))
        .execute(self.conn)
        .map_err(db)?;
        if updated == 0 {
            return Err(Error::Aborted {
                resource: term.to_string(),
            });
        }
        let seq: i64 = stage_events::table
            .filter(stage_events::cluster_id.eq(cluster_id))
            .filter(stage_events::year.eq(year))
            .count()
            .get_result(self.conn)
            .map_err(db)?;
        diesel::insert_into(stage_events::table)
            .values((
                stage_events::cluster_id.eq(cluster_id),
                stage_events::year.eq(year),
                stage_events::seq
                    .eq(i32::try_from(seq + 1).map_err(|e| Error::Internal(e.to_string()))?),
                stage_events::from_stage.eq(from.as_str()),
                stage_events::to_stage.eq(to.as_str()),
                stage_events::reason.eq(reason),
                stage_events::recorded_at.eq(now.0),
            ))
            .execute(self.conn)
            .map_err(db)?;
        self.record_change(term);
        Ok(())
    }

    /// Stores a result as the next revision of (member, criterion); returns the revision.
    pub fn insert_result(&mut self, term: &TermName, r: &ReportedResult) -> Result<i32, Error> {
        let mut rows = [r.clone()];
        self.insert_results(term, &mut rows)?;
        Ok(rows[0].revision)
    }

    /// Stores many results, each as the next revision of its (member, criterion) (in the order
    /// given, when one pair comes twice), and the term's latest results with them; sets each
    /// row's `revision`.
    pub fn insert_results(
        &mut self,
        term: &TermName,
        rows: &mut [ReportedResult],
    ) -> Result<(), Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        #[derive(Insertable)]
        #[diesel(table_name = results)]
        // COPY needs every column present, never a default.
        #[diesel(treat_none_as_default_value = false)]
        struct Row<'a> {
            cluster_id: &'a str,
            year: i32,
            unit_id: String,
            criterion_code: &'a str,
            revision: i32,
            value: String,
            kind: &'static str,
            evidence_ref: &'a str,
            evidence_note: &'a str,
            explanation: &'a str,
            submitted_at: i64,
        }
        fn row<'a>(cluster_id: &'a str, year: i32, r: &'a ReportedResult) -> Row<'a> {
            let (kind, value) = entry_cells(r.entry);
            Row {
                cluster_id,
                year,
                unit_id: r.unit.key(),
                criterion_code: &r.code,
                revision: r.revision,
                value,
                kind,
                evidence_ref: &r.evidence_ref,
                evidence_note: &r.evidence_note,
                explanation: &r.explanation,
                submitted_at: r.submitted_at.0,
            }
        }
        let (mut latest, exists) = self.latest_for_update(term)?;
        for r in rows.iter_mut() {
            let n = latest
                .entry((r.unit.key(), r.code.clone()))
                .or_insert((0, r.entry));
            n.0 += 1;
            n.1 = r.entry;
            r.revision = n.0;
        }
        let rows = &*rows;
        match self.conn {
            // In-process SQLite: one prepared single-row statement reused for every row is
            // faster than building, parsing and binding a 500-row statement per batch.
            crate::connection::AnyConnection::Sqlite(c) => {
                for r in rows {
                    diesel::insert_into(results::table)
                        .values(&row(cluster_id, year, r))
                        .execute(c)
                        .map_err(db)?;
                }
            }
            // PostgreSQL: `COPY … FROM STDIN` inside the import's transaction, its own bulk
            // path (no statement to parse or plan, rows streamed in its binary format).
            crate::connection::AnyConnection::Postgresql(c) => {
                use diesel::prelude::ExecuteCopyFromDsl;
                let all: Vec<Row<'_>> = rows.iter().map(|r| row(cluster_id, year, r)).collect();
                let expected = all.len();
                let copied = diesel::copy_from(results::table)
                    .from_insertable(all)
                    .execute(c)
                    .map_err(db)?;
                if copied != expected {
                    return Err(Error::Internal(format!(
                        "COPY stored {copied} of {expected} results"
                    )));
                }
            }
        }
        self.store_latest(term, &latest, exists)
    }

    /// Every result revision of a term (optionally of one member), in a stable order.
    pub fn results(
        &mut self,
        term: &TermName,
        unit: Option<&UnitRef>,
    ) -> Result<Vec<ReportedResult>, Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        let mut q = results::table
            .filter(results::cluster_id.eq(cluster_id))
            .filter(results::year.eq(year))
            .into_boxed();
        if let Some(u) = unit {
            q = q.filter(results::unit_id.eq(u.key()));
        }
        let rows: Vec<ResultCells> = q
            .order((results::unit_id, results::criterion_code, results::revision))
            .select((
                results::unit_id,
                results::criterion_code,
                results::revision,
                results::value,
                results::kind,
                results::evidence_ref,
                results::evidence_note,
                results::explanation,
                results::submitted_at,
            ))
            .load(self.conn)
            .map_err(db)?;
        rows.into_iter()
            .map(
                |(
                    unit,
                    code,
                    revision,
                    value,
                    kind,
                    evidence_ref,
                    evidence_note,
                    explanation,
                    at,
                )| {
                    let entry = parse_entry(&kind, &value)?;
                    Ok(ReportedResult {
                        unit: parse_key(&unit)?,
                        code,
                        revision,
                        entry,
                        evidence_ref,
                        evidence_note,
                        explanation,
                        submitted_at: Timestamp(at),
                        late: false,
                    })
                },
            )
            .collect()
    }

    /// Stores a layer score as the next of its (member, criterion, layer).
    pub fn insert_layer_score(&mut self, term: &TermName, s: &LayerScore) -> Result<i32, Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        let last: Option<i32> = layer_scores::table
            .filter(layer_scores::cluster_id.eq(cluster_id))
            .filter(layer_scores::year.eq(year))
            .filter(layer_scores::unit_id.eq(s.unit.key()))
            .filter(layer_scores::criterion_code.eq(&s.code))
            .filter(layer_scores::layer.eq(s.layer.as_str()))
            .select(diesel::dsl::max(layer_scores::seq))
            .get_result(self.conn)
            .map_err(db)?;
        let seq = last.unwrap_or(0) + 1;
        diesel::insert_into(layer_scores::table)
            .values((
                layer_scores::cluster_id.eq(cluster_id),
                layer_scores::year.eq(year),
                layer_scores::unit_id.eq(s.unit.key()),
                layer_scores::criterion_code.eq(&s.code),
                layer_scores::layer.eq(s.layer.as_str()),
                layer_scores::seq.eq(seq),
                layer_scores::points.eq(decimal::format(s.points)),
                layer_scores::reason.eq(&s.reason),
                layer_scores::recorded_at.eq(s.recorded_at.0),
            ))
            .execute(self.conn)
            .map_err(db)?;
        Ok(seq)
    }

    /// Every layer score of a term.
    pub fn layer_scores(&mut self, term: &TermName) -> Result<Vec<LayerScore>, Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        let rows: Vec<ScoreCells> = per_backend!(&mut *self.conn, |c| layer_scores::table
            .filter(layer_scores::cluster_id.eq(cluster_id))
            .filter(layer_scores::year.eq(year))
            .order((
                layer_scores::unit_id,
                layer_scores::criterion_code,
                layer_scores::layer,
                layer_scores::seq,
            ))
            .select((
                layer_scores::unit_id,
                layer_scores::criterion_code,
                layer_scores::layer,
                layer_scores::seq,
                layer_scores::points,
                layer_scores::reason,
                layer_scores::recorded_at,
            ))
            .load(c))
        .map_err(db)?;
        rows.into_iter()
            .map(|(unit, code, layer, seq, points, reason, at)| {
                Ok(LayerScore {
                    unit: parse_key(&unit)?,
                    code,
                    layer: layer
                        .parse::<Layer>()
                        .map_err(|()| corrupt("layer", &layer))?,
                    seq,
                    points: decimal::parse("points", &points)
                        .map_err(|_| corrupt("points", &points))?,
                    reason,
                    recorded_at: Timestamp(at),
                })
            })
            .collect()
    }
}
