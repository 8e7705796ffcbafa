//! Health and reflection, so grpcurl and generated clients work from the protos alone.

use anyhow::ensure;
use tonic::transport::Channel;
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};
use tonic_reflection::pb::v1::{
    ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
    server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
};

use thidua_proto::v1::{self as pb, unit_service_client::UnitServiceClient};

use crate::{env::Env, support::bac_kan_rows};

/// Every service the contract declares, by full name (`thidua.v1.UnitService`, …).
fn contract_services() -> anyhow::Result<Vec<String>> {
    use prost::Message;
    let set = prost_types::FileDescriptorSet::decode(thidua_proto::FILE_DESCRIPTOR_SET)?;
    let names: Vec<String> = set
        .file
        .iter()
        .flat_map(|f| {
            f.service
                .iter()
                .map(move |s| format!("{}.{}", f.package(), s.name()))
        })
        .collect();
    ensure!(names.len() >= 6, "the contract declares {names:?}");
    Ok(names)
}

/// Health says SERVING for the server and every service of the contract; reflection lists
/// them all.
pub fn health_and_reflection(env: &Env) -> anyhow::Result<()> {
    let services = contract_services()?;
    env.block_on(async {
        let mut health = HealthClient::new(env.channel().await?);
        for service in std::iter::once("").chain(services.iter().map(String::as_str)) {
            let status = health
                .check(HealthCheckRequest {
                    service: service.into(),
                })
                .await?
                .into_inner()
                .status;
            ensure!(
                status == ServingStatus::Serving as i32,
                "{service}: {status}"
            );
        }
        let mut reflection =
            ServerReflectionClient::new(env.channel_as(Some(&env.admin_token)).await?);
        let request = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        };
        let mut responses = reflection
            .server_reflection_info(tokio_stream::iter([request]))
            .await?
            .into_inner();
        let response = responses.message().await?.and_then(|r| r.message_response);
        let Some(MessageResponse::ListServicesResponse(list)) = response else {
            anyhow::bail!("no service list");
        };
        let names: Vec<_> = list.service.iter().map(|s| s.name.as_str()).collect();
        for expected in services
            .iter()
            .map(String::as_str)
            .chain(["grpc.health.v1.Health"])
        {
            ensure!(
                names.contains(&expected),
                "reflection lacks {expected}: {names:?}"
            );
        }
        // v1alpha too, for older clients (grpcurl before 1.9, Evans, Python's grpcio).
        use tonic_reflection::pb::v1alpha as alpha;
        let mut old = alpha::server_reflection_client::ServerReflectionClient::new(
            env.channel_as(Some(&env.admin_token)).await?,
        );
        let request = alpha::ServerReflectionRequest {
            host: String::new(),
            message_request: Some(
                alpha::server_reflection_request::MessageRequest::ListServices(String::new()),
            ),
        };
        let listed = old
            .server_reflection_info(tokio_stream::iter([request]))
            .await?
            .into_inner()
            .message()
            .await?
            .and_then(|r| r.message_response);
        let Some(alpha::server_reflection_response::MessageResponse::ListServicesResponse(list)) =
            listed
        else {
            anyhow::bail!("no service list over v1alpha");
        };
        ensure!(
            list.service
                .iter()
                .any(|s| s.name == "thidua.v1.ScoringService"),
            "v1alpha lists {:?}",
            list.service
        );
        Ok(())
    })
}

/// On shutdown, health turns NOT_SERVING for watchers of every service first, an import in flight finishes and
/// is saved, then the server stops even though a client keeps a stream open (the drain timeout
/// closes it).
pub fn graceful_shutdown(env: &Env) -> anyhow::Result<()> {
    let services = contract_services()?;
    env.block_on(async {
        // An import in flight: its upload stays open across the shutdown signal.
        let channel = env.channel_as(Some(&env.admin_token)).await?;
        let mut importer = UnitServiceClient::new(channel.clone());
        let (rows_tx, rows_rx) = tokio::sync::mpsc::channel::<pb::ImportUnitsRequest>(16);
        rows_tx
            .send(pb::ImportUnitsRequest {
                scheme: "qd124-2004".into(),
                ..Default::default()
            })
            .await?;
        let mut in_flight =
            Box::pin(importer.import_units(tokio_stream::wrappers::ReceiverStream::new(rows_rx)));
        // One poll queues the import's HEADERS on the connection; a call on the same
        // connection answered afterwards proves the server has taken the import in.
        tokio::select! {
            biased;
            done = &mut in_flight => anyhow::bail!("the import ended early: {done:?}"),
            () = std::future::ready(()) => {}
        }
        let probe = UnitServiceClient::new(channel)
            .list_units(pb::ListUnitsRequest::default())
            .await;
        ensure!(probe.is_ok(), "{probe:?}");
        let mut health = HealthClient::new(env.channel().await?);
        let mut watches = Vec::new();
        for service in std::iter::once("").chain(services.iter().map(String::as_str)) {
            let mut watch = health
                .watch(HealthCheckRequest {
                    service: service.into(),
                })
                .await?
                .into_inner();
            let first = watch.message().await?.map(|r| r.status);
            ensure!(
                first == Some(ServingStatus::Serving as i32),
                "{service:?} first: {first:?}"
            );
            watches.push((service, watch));
        }
        env.signal_shutdown();
        for (service, watch) in &mut watches {
            let next = watch.message().await?.map(|r| r.status);
            ensure!(
                next == Some(ServingStatus::NotServing as i32),
                "{service:?} after the signal: {next:?}"
            );
        }
        for row in bac_kan_rows()? {
            rows_tx
                .send(pb::ImportUnitsRequest {
                    rows: vec![row],
                    ..Default::default()
                })
                .await?;
        }
        drop(rows_tx);
        let imported = in_flight.await?.into_inner();
        ensure!(imported.units_created == 10, "{imported:?}");
        let stopped =
            tokio::time::timeout(std::time::Duration::from_secs(30), env.server_stopped()).await;
        ensure!(
            matches!(stopped, Ok(Ok(()))),
            "server did not stop cleanly: {stopped:?}"
        );
        let refused = Channel::from_shared(env.url.clone())?.connect().await;
        ensure!(refused.is_err(), "the server still accepts connections");
        Ok(())
    })
}

/// A server started by a supervisor (the test harness) on port 0 reports its address on a ready
/// line, and shuts down cleanly once the supervisor's end of its standard input closes, as it
/// does when the supervisor dies.
pub fn server_stops_with_its_supervisor(env: &Env) -> anyhow::Result<()> {
    let binary = crate::crash::server_binary()?;
    let server = thidua_testkit::ServerProcess::start(&binary, &env.database_url, &[])?;
    env.block_on(async {
        let mut health =
            HealthClient::new(Channel::from_shared(server.url.clone())?.connect().await?);
        let status = health
            .check(HealthCheckRequest::default())
            .await?
            .into_inner()
            .status;
        ensure!(status == ServingStatus::Serving as i32, "{status}");
        anyhow::Ok(())
    })?;
    let log = server.log();
    ensure!(
        server.close_stdin_and_wait()?,
        "the server did not exit cleanly: {log}"
    );
    Ok(())
}

/// A server whose port is taken fails before it creates or prints anything: no administrator
/// key is made for a server that never ran. One told to listen in clear on a public address
/// refuses to start.
pub fn startup_refusals(env: &Env) -> anyhow::Result<()> {
    let _ = env;
    let binary = crate::crash::server_binary()?;
    let dir = tempfile::tempdir()?;
    let taken = std::net::TcpListener::bind("127.0.0.1:0")?;
    let database = dir.path().join("Đức Xuân.db");
    let run = |listen: String| {
        std::process::Command::new(&binary)
            .args([
                "--database",
                database.to_str().unwrap_or_default(),
                "--listen",
            ])
            .arg(listen)
            .env("RUST_LOG", "warn")
            .stdin(std::process::Stdio::null())
            .output()
    };
    let out = run(taken.local_addr()?.to_string())?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure!(!out.status.success(), "started on a taken port");
    ensure!(
        stderr.contains("listening on") && !stderr.contains("THIDUA_TOKEN="),
        "{stderr}"
    );
    let out = run("0.0.0.0:0".into())?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure!(
        !out.status.success() && stderr.contains("--allow-insecure"),
        "{stderr}"
    );
    // A database URL that cannot work says why, once, at once.
    for (url, cause) in [
        (
            "mysql://thidua@127.0.0.1/thidua",
            "`mysql://` is not supported",
        ),
        ("postgres://thidua@127.0.0.1:1/thidua", "Connection refused"),
    ] {
        let started = std::time::Instant::now();
        let out = std::process::Command::new(&binary)
            .args(["--database", url, "--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "warn")
            .stdin(std::process::Stdio::null())
            .output()?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        ensure!(!out.status.success(), "started on {url}");
        ensure!(
            stderr.matches(cause).count() == 1,
            "{url}: the cause once, not {stderr}"
        );
        ensure!(
            started.elapsed() < std::time::Duration::from_secs(3),
            "{url}: took {:?}",
            started.elapsed()
        );
    }
    Ok(())
}
