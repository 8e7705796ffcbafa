//! Security as an attacker tries it, one file per topic: authentication, the policy walked over
//! the wire for every RPC × role × scope, the audit chain and its tampering, limits, mutual TLS, the
//! transport under abuse.

mod audit;
mod authentication;
mod limits;
mod policy_cases;
mod policy_walk;
mod tls;
mod transfer_walk;
mod transport;

pub use audit::{audit_chain, audit_checkpoint};
pub use authentication::authentication;
pub use limits::limits;
pub use policy_walk::policy_walk;
pub use tls::mutual_tls;
pub use transport::{idle_connections, made_up_keys};

use anyhow::ensure;
use thidua_proto::v1 as pb;

use crate::{env::Env, support::legacy};

/// Creates a key as administrator, scoped to a unit of the 2004 scheme by code; returns its
/// secret.
pub(crate) async fn create_key(
    env: &Env,
    label: &str,
    role: pb::Role,
    scope: &str,
) -> anyhow::Result<String> {
    let scope = if scope.is_empty() {
        String::new()
    } else {
        legacy(scope)
    };
    create_key_for(env, label, role, &scope).await
}

/// Creates a key as administrator, scoped to `scope` (a unit's resource name, or empty);
/// returns its secret.
pub async fn create_key_for(
    env: &Env,
    label: &str,
    role: pb::Role,
    scope: &str,
) -> anyhow::Result<String> {
    let created = env
        .access()
        .await?
        .create_api_key(pb::CreateApiKeyRequest {
            api_key: Some(pb::ApiKey {
                display_name: label.into(),
                role: role.into(),
                scope: scope.into(),
                ..Default::default()
            }),
        })
        .await?
        .into_inner();
    ensure!(
        created.secret.starts_with("thd_"),
        "secret {}",
        created.secret
    );
    Ok(created.secret)
}
