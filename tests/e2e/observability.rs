//! What an operator sees: JSON log lines with each call's request id and final status (a
//! cancelled stream too), the request id returned and audited, Prometheus metrics.

use anyhow::{Context, ensure};
use thidua_proto::v1 as pb;
use thidua_testkit::ServerProcess;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::transport::Channel;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

use crate::{crash::server_binary, env::Env};

/// The JSON log lines of `log` that are call lines.
fn call_lines(log: &str) -> Vec<serde_json::Value> {
    log.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["fields"]["message"] == "request")
        .collect()
}

async fn scrape(url: &str) -> anyhow::Result<String> {
    let address = url
        .strip_prefix("http://")
        .and_then(|u| u.strip_suffix("/metrics"))
        .context("metrics url")?;
    let mut stream = tokio::net::TcpStream::connect(address).await?;
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: thidua\r\nConnection: close\r\n\r\n")
        .await?;
    let mut body = String::new();
    stream.read_to_string(&mut body).await?;
    Ok(body)
}

pub fn observability(env: &Env) -> anyhow::Result<()> {
    let server = ServerProcess::start_logging(
        &server_binary()?,
        &env.database_url,
        &["--log-format", "json", "--metrics-listen", "127.0.0.1:0"],
        "info",
    )?;
    let metrics_url = server.metrics_url.clone().context("no metrics line")?;
    let url = server.url.clone();
    env.block_on(async {
        crate::support::import_bac_kan(env).await?;
        let channel = Channel::from_shared(url)?.connect().await?;
        let token: tonic::metadata::MetadataValue<_> =
            format!("Bearer {}", env.admin_token).parse()?;
        let mut clusters = pb::cluster_service_client::ClusterServiceClient::new(channel.clone());
        let mut request = tonic::Request::new(pb::CreateClusterRequest {
            cluster: Some(pb::Cluster {
                display_name: "Cụm thi đua phường Đức Xuân".into(),
                kind: pb::ClusterKind::Territorial.into(),
                organiser: "units/qd124-2004~058".into(),
                ..Default::default()
            }),
            cluster_id: "cum-duc-xuan".into(),
            request_id: String::new(),
        });
        request
            .metadata_mut()
            .insert("authorization", token.clone());
        request
            .metadata_mut()
            .insert("x-request-id", "phung-chi-kien-42".parse()?);
        let created = clusters.create_cluster(request).await?;
        ensure!(
            created
                .metadata()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                == Some("phung-chi-kien-42"),
            "{:?}",
            created.metadata()
        );
        // The audit event of the change carries the call's request id.
        let audited = env
            .audit()
            .await?
            .list_audit_events(pb::ListAuditEventsRequest {
                method: "ClusterService/CreateCluster".into(),
                ..Default::default()
            })
            .await?
            .into_inner()
            .audit_events;
        ensure!(
            audited.iter().any(|e| e.request_id == "phung-chi-kien-42"),
            "{audited:?}"
        );
        let mut health = HealthClient::new(channel.clone());
        let answered = health.check(HealthCheckRequest::default()).await?;
        let generated = answered
            .metadata()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .context("no request id generated")?;
        ensure!(generated.len() == 36, "{generated}");
        // A watch the client drops: logged Cancelled when it goes.
        let mut watch = health
            .watch(HealthCheckRequest::default())
            .await?
            .into_inner();
        watch.message().await?;
        drop(watch);
        let body = scrape(&metrics_url).await?;
        for expected in [
            "thidua_calls_total{method=\"ClusterService/CreateCluster\",code=\"Ok\"} 1",
            "thidua_calls_in_flight",
            "thidua_db_connections{state=\"open\"}",
            "thidua_call_duration_seconds_bucket{method=\"Health/Check\",code=\"Ok\"",
        ] {
            ensure!(body.contains(expected), "metrics lack {expected}: {body}");
        }
        anyhow::Ok(())
    })?;
    // Every line is written once the server has stopped, the cancelled watch's included.
    let lines = call_lines(&server.stop()?);
    let create = lines
        .iter()
        .find(|l| l["span"]["request_id"] == "phung-chi-kien-42")
        .context("no line for the call with its request id")?;
    ensure!(
        create["fields"]["status"] == "Ok"
            && create["fields"]["method"] == "/thidua.v1.ClusterService/CreateCluster",
        "{create}"
    );
    ensure!(
        lines
            .iter()
            .any(|l| l["fields"]["method"] == "/grpc.health.v1.Health/Watch"
                && l["fields"]["status"] == "Cancelled"),
        "no Cancelled line for the dropped watch: {lines:?}"
    );
    Ok(())
}
