//! `thidua`: the command-line client of the thidua server.

mod audit;
mod awards;
mod catalogue;
mod clusters;
mod covenants;
mod decisions;
mod examples;
mod failure;
mod i18n;
mod keys;
mod lineage;
mod output;
mod policy;
mod profile;
mod refs;
mod render;
mod results;
mod scoreboard;
mod scores;
mod sheets;
mod tables;
mod targets;
mod terms;
mod units;

use std::{io::IsTerminal, process::ExitCode};

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use thidua_proto::{
    auth::{AuthChannel, Bearer},
    v1::{
        access_service_client::AccessServiceClient, audit_service_client::AuditServiceClient,
        cluster_service_client::ClusterServiceClient, scoring_service_client::ScoringServiceClient,
        target_service_client::TargetServiceClient, unit_service_client::UnitServiceClient,
    },
};
use tonic::transport::Channel;

use crate::{
    failure::{EXIT_CODES, Failure},
    output::{Format, Section},
};

/// Run emulation clusters (cụm thi đua): units, clusters, terms, covenants, criteria tables and
/// targets.
#[derive(Debug, Parser)]
#[command(name = "thidua", version, about, after_help = EXIT_CODES)]
struct Cli {
    /// Server URL (`host:port` means `http://`); default: the profile's, else
    /// http://127.0.0.1:50051.
    #[arg(long, env = "THIDUA_SERVER", global = true)]
    server: Option<String>,
    /// The profile `thidua login` stored the server and API key under.
    #[arg(long, env = "THIDUA_PROFILE", default_value = "default", global = true)]
    profile: String,
    /// API key (a `thd_…` secret); prefer the environment variable, so it stays out of the
    /// shell history.
    #[arg(long, env = "THIDUA_TOKEN", hide_env_values = true, global = true)]
    token: Option<String>,
    /// CA certificate (PEM) to trust for an https:// server.
    #[arg(long, env = "THIDUA_CA_CERT", global = true)]
    ca_cert: Option<std::path::PathBuf>,
    /// Client certificate (PEM) for a server requiring mutual TLS.
    #[arg(
        long,
        env = "THIDUA_CLIENT_CERT",
        requires = "client_key",
        global = true
    )]
    client_cert: Option<std::path::PathBuf>,
    /// Client private key (PEM).
    #[arg(
        long,
        env = "THIDUA_CLIENT_KEY",
        requires = "client_cert",
        global = true
    )]
    client_key: Option<std::path::PathBuf>,
    /// The language of what the CLI prints for people: vi (tiếng Việt) or en. JSON and CSV
    /// keep English keys either way.
    #[arg(
        long,
        env = "THIDUA_LANG",
        value_enum,
        default_value = "vi",
        global = true
    )]
    lang: i18n::Lang,
    /// The cell delimiter of CSV written (files and `-o csv`): `;` for Excel in a Vietnamese
    /// locale. Files read may use either.
    #[arg(long, env = "THIDUA_CSV_DELIMITER", default_value = ",", global = true)]
    delimiter: String,
    /// Print only this table of a command that prints several (repeat for more); CSV, which
    /// holds one table, needs it then.
    #[arg(long, global = true)]
    section: Vec<String>,
    /// Output format; tables on a terminal, JSON otherwise.
    #[arg(short, long, value_enum, global = true)]
    output: Option<Format>,
    /// Scheme assumed for bare unit codes such as `01843`.
    #[arg(
        long,
        env = "THIDUA_SCHEME",
        default_value = "qd124-2004",
        global = true
    )]
    scheme: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Administrative and non-territorial units (đơn vị).
    #[command(subcommand)]
    Unit(units::UnitCommand),
    /// Clusters and blocks (cụm, khối thi đua).
    #[command(subcommand)]
    Cluster(clusters::ClusterCommand),
    /// Terms: a cluster in one year, its members and leadership.
    #[command(subcommand)]
    Term(terms::TermCommand),
    /// The covenant (giao ước thi đua) of a term: draft, sign, witnesses.
    #[command(subcommand)]
    Covenant(covenants::CovenantCommand),
    /// Criteria tables (bảng tiêu chí, thang điểm) and their versions.
    #[command(subcommand)]
    Table(tables::TableCommand),
    /// Targets (chỉ tiêu) of a term: defaults and per-member assigned values.
    #[command(subcommand)]
    Target(targets::TargetCommand),
    /// Reported results (kết quả) with evidence.
    #[command(subcommand)]
    Result(results::ResultCommand),
    /// Score layers: self-score, review, adjustment.
    #[command(subcommand)]
    Score(scores::ScoreCommand),
    /// The ranked, classified scoreboard and its explanations.
    #[command(subcommand)]
    Scoreboard(scoreboard::ScoreboardCommand),
    /// Award proposals: propose, list, submit, revoke.
    #[command(subcommand)]
    Award(awards::AwardCommand),
    /// Secret ballots on proposals.
    #[command(subcommand)]
    Ballot(awards::BallotCommand),
    /// Decisions (quyết định khen thưởng) and the award register.
    #[command(subcommand)]
    Decision(decisions::DecisionCommand),
    /// The catalogue of titles and forms with its rules (quotas, prerequisites), by version.
    #[command(subcommand)]
    Catalogue(catalogue::CatalogueCommand),
    /// API keys: create, list, revoke (administrators).
    #[command(subcommand)]
    Key(keys::KeyCommand),
    /// Show the API key in use.
    Whoami,
    /// The audit log: list events, verify the hash chain, sign checkpoints (administrators).
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Store the server and an API key as a profile (`--profile`, default `default`), so the
    /// next commands need neither: the key is read from THIDUA_TOKEN, --token or standard
    /// input, checked with the server, then kept in a file only you can read.
    ///
    /// Example: thidua login --server https://thidua.backan.gov.vn --profile bac-kan
    Login,
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// What every command gets: clients, the output format, the default scheme.
pub struct Context {
    /// Unit service client.
    pub units: UnitServiceClient<AuthChannel>,
    /// Cluster service client.
    pub clusters: ClusterServiceClient<AuthChannel>,
    /// Target service client.
    pub targets: TargetServiceClient<AuthChannel>,
    /// Scoring service client.
    pub scoring: ScoringServiceClient<AuthChannel>,
    /// Access (API keys) client.
    pub access: AccessServiceClient<AuthChannel>,
    /// Audit log client.
    pub audit: AuditServiceClient<AuthChannel>,
    /// Output format.
    pub format: Format,
    /// Default scheme for bare codes.
    pub scheme: String,
    /// The sections to print (`--section`), or all.
    pub sections: Vec<String>,
    /// The server's URL (`http://host:port`), for links to its pages.
    pub server: String,
}

impl Context {
    /// The awards live in the scoring service.
    pub fn awards(&mut self) -> &mut ScoringServiceClient<AuthChannel> {
        &mut self.scoring
    }

    /// Prints sections in the chosen format (those `--section` names, if given).
    pub fn print(&self, sections: &[Section]) -> Result<(), Failure> {
        let chosen = output::choose(sections, &self.sections, self.format)?;
        output::print(self.format, &chosen).map_err(Failure::from)
    }
}

/// The command as typed, without its arguments: `thidua award propose`.
fn command_words() -> String {
    let mut words = vec!["thidua".to_owned()];
    if let Ok(matches) = Cli::command().try_get_matches_from(std::env::args_os()) {
        let mut at = &matches;
        while let Some((name, sub)) = at.subcommand() {
            words.push(name.to_owned());
            at = sub;
        }
    }
    words.join(" ")
}

/// The server when neither a flag, the environment nor a profile names one.
const DEFAULT_SERVER: &str = "http://127.0.0.1:50051";

/// The API key for `thidua login`, read from standard input (one line), with a prompt on a
/// terminal.
fn read_token() -> Result<String, Failure> {
    if std::io::stdin().is_terminal() {
        eprint!("{}", i18n::text("token-prompt"));
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let token = line.trim().to_owned();
    if token.is_empty() {
        return Err(Failure::input(i18n::text("token-missing")));
    }
    Ok(token)
}

/// The server's URL: `host:port` alone means plain `http://`, as an officer would type it.
fn server_url(given: &str) -> String {
    let given = given.trim();
    if given.contains("://") {
        given.to_owned()
    } else {
        format!("http://{given}")
    }
}

fn main() -> ExitCode {
    let matches = examples::with_examples(Cli::command()).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            if !f.message.is_empty() {
                eprintln!("{}", f.message);
            }
            ExitCode::from(f.code)
        }
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    i18n::set(cli.lang)?;
    if let Command::Completions { shell } = cli.command {
        // Into a buffer first: the generator panics when it cannot write (a closed pipe).
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), "thidua", &mut script);
        return std::io::Write::write_all(&mut std::io::stdout().lock(), &script)
            .map_err(Failure::from);
    }
    sheets::set_delimiter(&cli.delimiter)?;
    let stored = profile::load(&cli.profile)?.unwrap_or_default();
    let logging_in = matches!(cli.command, Command::Login);
    let server = server_url(
        cli.server
            .as_deref()
            .or((!stored.server.is_empty()).then_some(stored.server.as_str()))
            .unwrap_or(DEFAULT_SERVER),
    );
    let mut endpoint = Channel::from_shared(server.clone())
        .map_err(|e| Failure::input(format!("--server: {e}")))?;
    if server.starts_with("https://") {
        let read = |flag: &str, p: &std::path::Path| {
            std::fs::read(p).map_err(|e| Failure::input(format!("{flag} {}: {e}", p.display())))
        };
        let mut tls = tonic::transport::ClientTlsConfig::new();
        if let Some(ca) = &cli.ca_cert {
            tls = tls.ca_certificate(tonic::transport::Certificate::from_pem(read(
                "--ca-cert",
                ca,
            )?));
        }
        if let (Some(cert), Some(key)) = (&cli.client_cert, &cli.client_key) {
            tls = tls.identity(tonic::transport::Identity::from_pem(
                read("--client-cert", cert)?,
                read("--client-key", key)?,
            ));
        }
        endpoint = endpoint
            .tls_config(tls)
            .map_err(|e| Failure::input(format!("TLS settings: {e}")))?;
        if cli.client_cert.is_none() {
            failure::note_tls_without_client_certificate();
        }
    }
    // Connect on first use, so bad local input is reported before any network trouble.
    let channel = endpoint.connect_lazy();
    let format = cli.output.unwrap_or(if std::io::stdout().is_terminal() {
        Format::Table
    } else {
        Format::Json
    });
    // An empty THIDUA_TOKEN means no key, not a malformed one.
    let given = cli.token.clone().filter(|t| !t.trim().is_empty());
    let token = match (given, logging_in) {
        (Some(t), _) => Some(t),
        (None, true) => Some(read_token()?),
        (None, false) => (!stored.token.is_empty()).then(|| stored.token.clone()),
    };
    let bearer = Bearer::new(token.as_deref())
        .map_err(|e| Failure::input(format!("--token: {e}")))?
        .language(cli.lang.tag());
    let mut ctx = Context {
        units: UnitServiceClient::with_interceptor(channel.clone(), bearer.clone()),
        clusters: ClusterServiceClient::with_interceptor(channel.clone(), bearer.clone()),
        targets: TargetServiceClient::with_interceptor(channel.clone(), bearer.clone()),
        scoring: ScoringServiceClient::with_interceptor(channel.clone(), bearer.clone()),
        access: AccessServiceClient::with_interceptor(channel.clone(), bearer.clone()),
        audit: AuditServiceClient::with_interceptor(channel, bearer),
        format,
        scheme: cli.scheme,
        sections: cli.section,
        server: server.trim_end_matches('/').to_owned(),
    };
    let result = match cli.command {
        Command::Unit(c) => units::run(&mut ctx, c).await,
        Command::Cluster(c) => clusters::run(&mut ctx, c).await,
        Command::Term(c) => terms::run(&mut ctx, c).await,
        Command::Covenant(c) => covenants::run(&mut ctx, c).await,
        Command::Table(c) => tables::run(&mut ctx, c).await,
        Command::Target(c) => targets::run(&mut ctx, c).await,
        Command::Result(c) => results::run_result(&mut ctx, c).await,
        Command::Score(c) => scores::run_score(&mut ctx, c).await,
        Command::Scoreboard(c) => scoreboard::run_scoreboard(&mut ctx, c).await,
        Command::Award(c) => awards::run_award(&mut ctx, c).await,
        Command::Ballot(c) => awards::run_ballot(&mut ctx, c).await,
        Command::Decision(c) => decisions::run(&mut ctx, c).await,
        Command::Catalogue(c) => catalogue::run(&mut ctx, c).await,
        Command::Key(c) => keys::run_key(&mut ctx, c).await,
        Command::Whoami => keys::run_whoami(&mut ctx).await,
        Command::Login => {
            keys::run_whoami(&mut ctx).await?;
            let path = profile::save(
                &cli.profile,
                profile::Profile {
                    server: server.clone(),
                    token: token.clone().unwrap_or_default(),
                },
            )?;
            eprintln!(
                "{}",
                i18n::text_with(
                    "profile-saved",
                    &[
                        ("profile", cli.profile.clone()),
                        ("file", path.display().to_string())
                    ]
                )
            );
            Ok(())
        }
        Command::Audit(c) => audit::run_audit(&mut ctx, c).await,
        Command::Completions { .. } => Ok(()),
    };
    result.map_err(|mut f| {
        if let Some(need) = f.denied.as_deref().and_then(failure::needed) {
            f.message.push_str(&format!(
                "\n  {}",
                i18n::text_with(
                    "denied-needs",
                    &[("command", command_words()), ("need", need)]
                )
            ));
        }
        if f.code == 8 && token.is_none() {
            f.message
                .push_str(&format!("\n  {}", i18n::text("hint-no-key")));
        }
        if f.code == 7 {
            f.message.push_str(&format!(
                "\n  {}",
                i18n::text_with("hint-server", &[("server", server.clone())])
            ));
        }
        f
    })
}
