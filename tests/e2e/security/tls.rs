//! Mutual TLS between systems.

use anyhow::{Context, ensure};
use thidua_proto::v1 as pb;

use crate::env::Env;

/// A test PKI: a CA, a server certificate for localhost, a client certificate from the CA and
/// one from a rogue CA.
struct Pki {
    ca: String,
    server_cert: String,
    server_key: String,
    client_cert: String,
    client_key: String,
    rogue_cert: String,
    rogue_key: String,
}

fn pki() -> anyhow::Result<Pki> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_params = |name: &str| -> anyhow::Result<CertificateParams> {
        let mut p = CertificateParams::new(Vec::<String>::new())?;
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(DnType::CommonName, name);
        Ok(p)
    };
    let ca_key = KeyPair::generate()?;
    let ca_cert = ca_params("Sở Nội vụ tỉnh Bắc Kạn — CA thử nghiệm")?.self_signed(&ca_key)?;
    let ca = Issuer::new(ca_params("Sở Nội vụ tỉnh Bắc Kạn — CA thử nghiệm")?, ca_key);
    let rogue_key = KeyPair::generate()?;
    let rogue = Issuer::new(ca_params("CA giả mạo")?, rogue_key);
    let leaf = |names: Vec<String>,
                cn: &str,
                issuer: &Issuer<'_, KeyPair>|
     -> anyhow::Result<(String, String)> {
        let key = KeyPair::generate()?;
        let mut p = CertificateParams::new(names)?;
        p.distinguished_name.push(DnType::CommonName, cn);
        Ok((p.signed_by(&key, issuer)?.pem(), key.serialize_pem()))
    };
    let (server_cert, server_key) = leaf(
        vec!["localhost".into(), "127.0.0.1".into()],
        "thidua.backan.gov.vn",
        &ca,
    )?;
    let (client_cert, client_key) = leaf(vec![], "Cổng tích hợp tỉnh Bắc Kạn", &ca)?;
    let (rogue_cert, rogue_key) = leaf(vec![], "Kẻ tấn công", &rogue)?;
    Ok(Pki {
        ca: ca_cert.pem(),
        server_cert,
        server_key,
        client_cert,
        client_key,
        rogue_cert,
        rogue_key,
    })
}

/// Mutual TLS: a client with a certificate from the configured CA is served; one without a
/// certificate, with a rogue CA's, or in clear text fails the handshake. The CLI connects
/// with its TLS flags.
pub fn mutual_tls(_env: &Env) -> anyhow::Result<()> {
    let pki = pki()?;
    let env = Env::start_with(
        None,
        thidua_server::ServeOptions {
            tls: Some(thidua_server::Tls {
                cert: pki.server_cert.clone().into_bytes(),
                key: pki.server_key.clone().into_bytes(),
                client_ca: Some(pki.ca.clone().into_bytes()),
            }),
            ..thidua_server::ServeOptions::default()
        },
    )?;
    let port = env.url.rsplit(':').next().context("no port")?.to_owned();
    let https = format!("https://localhost:{port}");
    let token = env.admin_token.clone();
    env.block_on(async {
        use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};
        let caller = |tls: Option<ClientTlsConfig>, url: String| {
            let token = token.clone();
            async move {
                let mut endpoint = Channel::from_shared(url)?;
                if let Some(tls) = tls {
                    endpoint = endpoint.tls_config(tls)?;
                }
                let channel = endpoint.connect().await?;
                let bearer =
                    thidua_proto::auth::Bearer::new(Some(&token)).map_err(anyhow::Error::msg)?;
                let key = pb::access_service_client::AccessServiceClient::with_interceptor(
                    channel, bearer,
                )
                .get_caller(pb::GetCallerRequest {})
                .await?
                .into_inner();
                anyhow::Ok(key)
            }
        };
        let trust = || {
            ClientTlsConfig::new()
                .ca_certificate(Certificate::from_pem(&pki.ca))
                .domain_name("localhost")
        };
        let good = trust().identity(Identity::from_pem(&pki.client_cert, &pki.client_key));
        caller(Some(good), https.clone())
            .await
            .context("a client with a certificate from the CA")?;
        ensure!(
            caller(Some(trust()), https.clone()).await.is_err(),
            "served a client without a certificate"
        );
        let rogue = trust().identity(Identity::from_pem(&pki.rogue_cert, &pki.rogue_key));
        ensure!(
            caller(Some(rogue), https.clone()).await.is_err(),
            "served a rogue CA's client"
        );
        ensure!(
            caller(None, env.url.clone()).await.is_err(),
            "served clear text"
        );
        anyhow::Ok(())
    })?;
    let dir = tempfile::tempdir()?;
    let write = |name: &str, pem: &str| -> anyhow::Result<String> {
        let path = dir.path().join(name);
        std::fs::write(&path, pem)?;
        Ok(path.display().to_string())
    };
    let (ca, cert, key) = (
        write("ca.pem", &pki.ca)?,
        write("client.pem", &pki.client_cert)?,
        write("client.key", &pki.client_key)?,
    );
    let out = std::process::Command::new(crate::env::cli_binary()?)
        .args([
            "--server",
            &https,
            "--ca-cert",
            &ca,
            "--client-cert",
            &cert,
            "--client-key",
            &key,
            "whoami",
            "-o",
            "json",
        ])
        .env("THIDUA_TOKEN", &env.admin_token)
        .output()?;
    ensure!(
        out.status.success(),
        "CLI over mutual TLS: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    ensure!(String::from_utf8_lossy(&out.stdout).contains("admin"));
    // Without its certificate the CLI says what is missing, not "operation was canceled".
    let out = std::process::Command::new(crate::env::cli_binary()?)
        .args(["--server", &https, "--ca-cert", &ca, "whoami"])
        .env("THIDUA_TOKEN", &env.admin_token)
        .output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure!(
        !out.status.success() && stderr.contains("client certificate"),
        "CLI without its certificate: {stderr}"
    );
    Ok(())
}
