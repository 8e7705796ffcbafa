//! Transfers of clusters to successor organisers.

use diesel::prelude::*;
use thidua_domain::{
    Error, cluster::Cluster, names::TermName, succession::OrganiserTransfer, term::Period,
    time::Timestamp,
};

use crate::{
    Tx,
    errors::{corrupt, db},
    schema::{clusters, organiser_transfers, terms},
    units::parse_key,
};

impl Tx<'_> {
    /// The transfers of a cluster, oldest first.
    pub fn transfers(&mut self, cluster_id: &str) -> Result<Vec<OrganiserTransfer>, Error> {
        let rows: Vec<(String, String, String, String, i64)> = organiser_transfers::table
            .filter(organiser_transfers::cluster_id.eq(cluster_id))
            .order(organiser_transfers::seq)
            .select((
                organiser_transfers::from_unit_id,
                organiser_transfers::to_unit_id,
                organiser_transfers::effective_date,
                organiser_transfers::legal_act,
                organiser_transfers::recorded_at,
            ))
            .load(self.conn)
            .map_err(db)?;
        rows.into_iter()
            .map(|(from, to, date, legal_act, recorded_at)| {
                Ok(OrganiserTransfer {
                    cluster_id: cluster_id.to_owned(),
                    from: parse_key(&from)?,
                    to: parse_key(&to)?,
                    date: date.parse().map_err(|_| corrupt("date", &date))?,
                    legal_act,
                    recorded_at: Timestamp(recorded_at),
                })
            })
            .collect()
    }

    /// Records a transfer and makes its successor the cluster's organiser, if the cluster's
    /// version is still `expected_version` (`Aborted` otherwise).
    pub fn transfer_cluster(
        &mut self,
        cluster: &Cluster,
        expected_version: i64,
        transfer: &OrganiserTransfer,
    ) -> Result<Cluster, Error> {
        let updated = diesel::update(
            clusters::table
                .filter(clusters::id.eq(&cluster.id))
                .filter(clusters::version.eq(expected_version)),
        )
        .set((
            clusters::organiser_id.eq(transfer.to.key()),
            clusters::updated_at.eq(transfer.recorded_at.0),
            clusters::version.eq(expected_version + 1),
        ))
        .execute(self.conn)
        .map_err(db)?;
        if updated == 0 {
            return Err(Error::Aborted {
                resource: cluster.resource(),
            });
        }
        let seq: Option<i32> = organiser_transfers::table
            .filter(organiser_transfers::cluster_id.eq(&cluster.id))
            .select(diesel::dsl::max(organiser_transfers::seq))
            .get_result(self.conn)
            .map_err(db)?;
        diesel::insert_into(organiser_transfers::table)
            .values((
                organiser_transfers::cluster_id.eq(&cluster.id),
                organiser_transfers::seq.eq(seq.unwrap_or(0) + 1),
                organiser_transfers::from_unit_id.eq(transfer.from.key()),
                organiser_transfers::to_unit_id.eq(transfer.to.key()),
                organiser_transfers::effective_date.eq(transfer.date.to_string()),
                organiser_transfers::legal_act.eq(&transfer.legal_act),
                organiser_transfers::recorded_at.eq(transfer.recorded_at.0),
            ))
            .execute(self.conn)
            .map_err(db)?;
        self.existing_cluster(&cluster.id)
    }

    /// The cluster's latest term and its period, if it has one.
    pub fn last_term(&mut self, cluster_id: &str) -> Result<Option<(TermName, Period)>, Error> {
        let row: Option<(i32, String, String)> = terms::table
            .filter(terms::cluster_id.eq(cluster_id))
            .order(terms::year.desc())
            .select((terms::year, terms::start_date, terms::end_date))
            .first(self.conn)
            .optional()
            .map_err(db)?;
        row.map(|(year, start, end)| {
            Ok((
                TermName::new(cluster_id, year),
                Period {
                    start: start.parse().map_err(|_| corrupt("date", &start))?,
                    end: end.parse().map_err(|_| corrupt("date", &end))?,
                },
            ))
        })
        .transpose()
    }
}
