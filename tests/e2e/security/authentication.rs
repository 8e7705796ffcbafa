//! Authentication: missing, malformed, unknown, expired and revoked keys.

use anyhow::{Context, ensure};
use thidua_proto::v1 as pb;
use tonic::Code;

use super::create_key;
use crate::{
    env::Env,
    support::{expect_error, import_bac_kan, legacy},
};

/// Missing, malformed, unknown, expired and revoked keys are all UNAUTHENTICATED; the health
/// check needs none; a revocation takes effect on the next call.
pub fn authentication(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        import_bac_kan(env).await?;
        let get = || pb::GetUnitRequest {
            name: legacy("01843"),
        };
        for token in [
            None,
            Some("not-a-key"),
            Some("thd_short"),
            Some("thd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        ] {
            let channel = env.channel_as(token).await?;
            let result = pb::unit_service_client::UnitServiceClient::new(channel)
                .get_unit(get())
                .await;
            expect_error(result, Code::Unauthenticated, None)?;
        }
        let reporter = create_key(
            env,
            "UBND phường Phùng Chí Kiên",
            pb::Role::Reporter,
            "01843",
        )
        .await?;
        let mut as_reporter =
            pb::unit_service_client::UnitServiceClient::new(env.channel_as(Some(&reporter)).await?);
        // Admitted once, the read is kept in memory (on SQLite); the revocation below must
        // still hold from the very next call.
        as_reporter.get_unit(get()).await?;
        as_reporter.get_unit(get()).await?;
        let caller = pb::access_service_client::AccessServiceClient::new(
            env.channel_as(Some(&reporter)).await?,
        )
        .get_caller(pb::GetCallerRequest {})
        .await?
        .into_inner()
        .api_key
        .context("no key")?;
        ensure!(caller.scope == legacy("01843") && caller.role == i32::from(pb::Role::Reporter));
        ensure!(reporter.starts_with(&caller.display_prefix) && caller.display_prefix.len() == 12);
        // The secret is nowhere in the listing.
        let listed = env
            .access()
            .await?
            .list_api_keys(pb::ListApiKeysRequest::default())
            .await?
            .into_inner();
        ensure!(!format!("{listed:?}").contains(&reporter));
        env.access()
            .await?
            .revoke_api_key(pb::RevokeApiKeyRequest {
                name: caller.name.clone(),
            })
            .await?;
        expect_error(
            as_reporter.get_unit(get()).await,
            Code::Unauthenticated,
            None,
        )?;
        // A key that expired: stored with a past expiry, refused.
        let expiring = env
            .access()
            .await?
            .create_api_key(pb::CreateApiKeyRequest {
                api_key: Some(pb::ApiKey {
                    display_name: "Hết hạn".into(),
                    role: pb::Role::Observer.into(),
                    scope: legacy("06"),
                    expire_time: Some(prost_types::Timestamp {
                        seconds: 1,
                        nanos: 0,
                    }),
                    ..Default::default()
                }),
            })
            .await;
        expect_error(expiring, Code::InvalidArgument, None)?;
        let mut health = tonic_health::pb::health_client::HealthClient::new(env.channel().await?);
        let served = health
            .check(tonic_health::pb::HealthCheckRequest {
                service: String::new(),
            })
            .await?
            .into_inner();
        ensure!(
            served.status
                == i32::from(tonic_health::pb::health_check_response::ServingStatus::Serving)
        );
        // Scoped roles need a scope; admin keys must not have one.
        let bad = env
            .access()
            .await?
            .create_api_key(pb::CreateApiKeyRequest {
                api_key: Some(pb::ApiKey {
                    display_name: "Không phạm vi".into(),
                    role: pb::Role::Organiser.into(),
                    ..Default::default()
                }),
            })
            .await;
        expect_error(bad, Code::InvalidArgument, None)?;
        Ok(())
    })
}
