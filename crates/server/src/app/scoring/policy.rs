//! A term's scoring policy: tie-break chain, classification levels, quotas, the ballot rule.

use thidua_domain::{Error, names::TermName, policy::Policy, stage::Action};
use thidua_storage::Store;

use super::bound_table;
use crate::app::now;

/// A term's scoring policy.
pub fn policy(store: &Store, name: &TermName) -> Result<Policy, Error> {
    store.read(|tx| {
        tx.existing_term(name)?;
        tx.policy(name)
    })
}

/// Sets a term's scoring policy, until its scores are adopted.
pub fn set_policy(store: &Store, name: &TermName, policy: Policy) -> Result<Policy, Error> {
    let now = now();
    store.write(|tx| {
        let term = tx.existing_term(name)?;
        term.stage.permit(Action::ChangePolicy, &term.resource())?;
        let table = bound_table(tx, &term)?;
        policy.check(table.as_ref().map(|(_, v)| &*v.groups))?;
        tx.touch_term(name, None, now)?;
        tx.set_policy(name, &policy, now)?;
        tx.policy(name)
    })
}
