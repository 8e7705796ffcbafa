//! Limits: message sizes, streams and the per-key rate.

use anyhow::bail;
use thidua_proto::v1 as pb;
use tonic::Code;

use crate::{
    env::Env,
    support::{expect_error, legacy},
};

/// Fails unless `status` is RESOURCE_EXHAUSTED.
fn exhausted<T: std::fmt::Debug>(result: Result<T, tonic::Status>) -> anyhow::Result<()> {
    match result {
        Err(s) if s.code() == Code::ResourceExhausted => Ok(()),
        other => bail!("expected RESOURCE_EXHAUSTED, got {other:?}"),
    }
}

/// A message over the limit is refused RESOURCE_EXHAUSTED and the connection stays usable;
/// a key over its rate is refused quickly while other keys go on.
pub fn limits(env: &Env) -> anyhow::Result<()> {
    let small = Env::start_with(
        None,
        thidua_server::ServeOptions {
            max_message_bytes: 64 * 1024,
            limits: thidua_server::auth::Limits {
                max_in_flight: 64,
                rate_per_key: 0.001,
                burst_per_key: 5.0,
                ..thidua_server::auth::Limits::default()
            },
            ..thidua_server::ServeOptions::default()
        },
    )?;
    let _ = env;
    small.block_on(async {
        let channel = small.channel_as(Some(&small.admin_token)).await?;
        let mut units = pb::unit_service_client::UnitServiceClient::new(channel.clone());
        let huge = pb::GetUnitRequest {
            name: format!("units/qd124-2004~{}", "9".repeat(100 * 1024)),
        };
        exhausted(units.get_unit(huge).await)?;
        // Same connection, next call: served (NOT_FOUND: the unit does not exist).
        expect_error(
            units
                .get_unit(pb::GetUnitRequest {
                    name: legacy("01843"),
                })
                .await,
            Code::NotFound,
            None,
        )?;
        // The burst of 5 is used up (the call above, 4 more here: the oversized message was
        // refused before its key was looked up, so it does not count); the 6th is refused.
        for _ in 0..4 {
            let _ = units
                .get_unit(pb::GetUnitRequest {
                    name: legacy("01843"),
                })
                .await;
        }
        exhausted(
            units
                .get_unit(pb::GetUnitRequest {
                    name: legacy("01843"),
                })
                .await,
        )?;
        Ok(())
    })
}
