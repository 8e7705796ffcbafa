//! A term's scoring policy: tie-break chain, classification levels, quotas, the ballot rule.

use thidua_domain::{Error, policy::Policy, stage::Action};
use thidua_storage::Store;

use super::bound_table;
use crate::app::now;

/// A term's scoring policy.
pub fn policy(store: &Store, cluster_id: &str, year: i32) -> Result<Policy, Error> {
    store.read(|tx| {
        tx.existing_term(cluster_id, year)?;
        tx.policy(cluster_id, year)
    })
}

/// Sets a term's scoring policy, until its scores are adopted.
pub fn set_policy(
    store: &Store,
    cluster_id: &str,
    year: i32,
    policy: Policy,
) -> Result<Policy, Error> {
    let now = now();
    store.write(|tx| {
        let term = tx.existing_term(cluster_id, year)?;
        term.stage.permit(Action::ChangePolicy, &term.resource())?;
        let table = bound_table(tx, &term)?;
        policy.check(table.as_ref().map(|(_, v)| &*v.groups))?;
        tx.touch_term(cluster_id, year, None, now)?;
        tx.set_policy(cluster_id, year, &policy, now)?;
        tx.policy(cluster_id, year)
    })
}
