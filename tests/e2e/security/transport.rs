//! The transport under abuse, against a server process: sockets that never speak, and a flood
//! of made-up keys.

use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use thidua_testkit::ServerProcess;
use tokio::io::AsyncReadExt;
use tonic::{Code, transport::Channel};
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

use crate::{crash::server_binary, env::Env};

const MIB: u64 = 1024 * 1024;

/// Raises this process's soft descriptor limit to its hard limit, so it can hold the sockets
/// it opens against the server.
fn raise_own_descriptor_limit(needed: u64) -> anyhow::Result<()> {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    if soft < needed {
        setrlimit(Resource::RLIMIT_NOFILE, hard, hard)?;
    }
    let (soft, _) = getrlimit(Resource::RLIMIT_NOFILE)?;
    ensure!(
        soft >= needed,
        "this test needs {needed} descriptors; the limit is {soft}"
    );
    Ok(())
}

/// Health checks on fresh connections: the time of each, connection included.
async fn health_times(url: &str, checks: usize) -> anyhow::Result<Vec<Duration>> {
    let mut times = Vec::with_capacity(checks);
    for _ in 0..checks {
        let started = Instant::now();
        let channel = Channel::from_shared(url.to_owned())?
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(5))
            .connect()
            .await?;
        HealthClient::new(channel)
            .check(HealthCheckRequest::default())
            .await?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(times)
}

/// 2,000 sockets that open TCP and never speak, from one address, against a server allowed
/// 1,024 descriptors: the caps refuse most of them at once (and say so in the log), the rest
/// are closed when their handshake time is up, and meanwhile health checks from another
/// address answer quickly and the server stays small.
pub fn idle_connections(env: &Env) -> anyhow::Result<()> {
    const IDLE: usize = 2000;
    raise_own_descriptor_limit(IDLE as u64 + 256)?;
    let server = ServerProcess::start_with_descriptor_limit(
        &server_binary()?,
        &env.database_url,
        &["--handshake-timeout", "3"],
        1024,
    )?;
    let address: std::net::SocketAddr =
        server.url.strip_prefix("http://").context("url")?.parse()?;
    let outcome = env.block_on(async {
        let mut idle = Vec::with_capacity(IDLE);
        for _ in 0..IDLE {
            let socket = tokio::net::TcpSocket::new_v4()?;
            // Another loopback address: the flood is one peer, the health checks another.
            socket.bind("127.0.0.2:0".parse()?)?;
            idle.push(socket.connect(address).await?);
        }
        let times = health_times(&server.url, 200).await?;
        let p99 = times[times.len() * 99 / 100 - 1];
        let (rss, _) = server.memory()?;
        // A silent socket is closed by the server: refused by a cap at once, or when its
        // handshake time is up.
        let mut closed = 0;
        for socket in idle.iter_mut().step_by(97) {
            let mut byte = [0u8; 1];
            let read = tokio::time::timeout(Duration::from_secs(30), socket.read(&mut byte)).await;
            if let Ok(Ok(0) | Err(_)) = read {
                closed += 1;
            }
        }
        anyhow::Ok((p99, rss, closed, idle.len().div_ceil(97)))
    })?;
    let (p99, rss, closed, sampled) = outcome;
    let log = server.log();
    ensure!(
        p99 < Duration::from_millis(50),
        "health p99 {p99:?} with {IDLE} idle sockets"
    );
    ensure!(rss < 64 * MIB, "server RSS {} MiB", rss / MIB);
    ensure!(
        closed == sampled,
        "{closed} of {sampled} sampled idle sockets were closed by the server"
    );
    ensure!(
        log.contains("connection cap reached"),
        "no warning when the cap was hit: {log}"
    );
    Ok(())
}

/// 100,000 calls, each with a different well-formed key that does not exist: each is refused
/// (UNAUTHENTICATED, or RESOURCE_EXHAUSTED once the address is over its rate), and the server's
/// memory afterwards is within 5 MiB of what it was before: nothing is kept per made-up key.
pub fn made_up_keys(env: &Env) -> anyhow::Result<()> {
    const CALLS: usize = 100_000;
    const WORKERS: usize = 32;
    let server = ServerProcess::start(&server_binary()?, &env.database_url, &[])?;
    let url = server.url.clone();
    let flood = |from: usize, calls: usize| {
        let url = url.clone();
        async move {
            let channel = Channel::from_shared(url)?.connect().await?;
            let mut workers = tokio::task::JoinSet::new();
            for w in 0..WORKERS {
                let channel = channel.clone();
                workers.spawn(async move {
                    let mut units =
                        thidua_proto::v1::unit_service_client::UnitServiceClient::new(channel);
                    let mut refused = [0usize; 2];
                    for i in (from + w..from + calls).step_by(WORKERS) {
                        let mut request = tonic::Request::new(thidua_proto::v1::GetUnitRequest {
                            name: "units/qd124-2004~01843".into(),
                        });
                        request
                            .metadata_mut()
                            .insert("authorization", format!("Bearer thd_{i:0>43}").parse()?);
                        match units.get_unit(request).await {
                            Err(s) if s.code() == Code::Unauthenticated => refused[0] += 1,
                            Err(s) if s.code() == Code::ResourceExhausted => refused[1] += 1,
                            other => anyhow::bail!("a made-up key got {other:?}"),
                        }
                    }
                    anyhow::Ok(refused)
                });
            }
            let mut refused = [0usize; 2];
            while let Some(done) = workers.join_next().await {
                let r = done??;
                refused[0] += r[0];
                refused[1] += r[1];
            }
            anyhow::Ok(refused)
        }
    };
    let (before, after, refused) = env
        .block_on(async {
            // Warm-up: the allocator's and the connection's own growth is not what is measured.
            flood(0, 5_000).await?;
            let (before, _) = server.memory()?;
            let refused = flood(5_000, CALLS).await?;
            let (after, _) = server.memory()?;
            anyhow::Ok((before, after, refused))
        })
        .with_context(|| format!("server log: {}", server.log()))?;
    ensure!(
        refused.iter().sum::<usize>() == CALLS,
        "refusals {refused:?}"
    );
    ensure!(
        after <= before + 5 * MIB,
        "server RSS grew from {} to {} KiB over {CALLS} made-up keys",
        before / 1024,
        after / 1024
    );
    Ok(())
}
