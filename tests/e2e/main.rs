//! End-to-end tests: every scenario runs against the real server on 127.0.0.1:0, once on
//! SQLite and once on PostgreSQL. PostgreSQL comes from `THIDUA_TEST_DATABASE_URL` or a
//! throwaway cluster this binary starts and removes; without one the PostgreSQL trials are
//! skipped with a loud line, or fail when `THIDUA_REQUIRE_POSTGRES=1`.

mod backup;
mod changes;
mod cli;
mod cli_traps;
mod clusters;
mod concurrency;
mod crash;
mod documents;
mod env;
mod health;
mod http;
mod lineage;
mod migrations;
mod observability;
mod reform;
mod scoring;
mod security;
mod support;
mod tables;
mod units;

use std::sync::Arc;

use env::Env;
use libtest_mimic::{Arguments, Failed, Trial};
use thidua_testkit::{Durability, Postgres};

type Scenario = fn(&Env) -> anyhow::Result<()>;

const SCENARIOS: &[(&str, Scenario)] = &[
    ("seed_case", units::seed_case),
    ("unit_search_and_pages", units::search_and_pages),
    ("unit_validation_and_etags", units::validation_and_etags),
    ("unit_import_all_or_nothing", units::import_all_or_nothing),
    ("unit_lineage", units::lineage),
    ("lineage_import", lineage::lineage_import),
    (
        "unit_end_checked_against_terms",
        lineage::unit_end_checked_against_terms,
    ),
    ("reform_carry_forward", reform::reform_carry_forward),
    ("history_across_lineage", reform::history_across_lineage),
    ("names_through_time", reform::names_through_time),
    ("cluster_lifecycle", clusters::cluster_lifecycle),
    ("term_rules", clusters::term_rules),
    (
        "covenant_and_carry_forward",
        clusters::covenant_and_carry_forward,
    ),
    ("concurrent_membership", clusters::concurrent_membership),
    ("concurrent_signing", clusters::concurrent_signing),
    ("tables_and_spreadsheets", tables::tables_and_spreadsheets),
    ("targets_and_signing", tables::targets_and_signing),
    ("year_end_cycle", scoring::year_end_cycle),
    (
        "unresolved_tie_blocks_adoption",
        scoring::unresolved_tie_blocks_adoption,
    ),
    (
        "result_import_and_export",
        scoring::result_import_and_export,
    ),
    ("awards_and_ballots", scoring::awards_and_ballots),
    ("government_flag_quota", scoring::government_flag_quota),
    ("decisions_and_register", scoring::decisions_and_register),
    ("bonus_from_the_register", scoring::bonus_from_the_register),
    (
        "catalogue_versions_and_prerequisites",
        scoring::catalogue_versions_and_prerequisites,
    ),
    (
        "tie_decision_allows_adoption",
        scoring::tie_decision_allows_adoption,
    ),
    ("watch_scoreboard", scoring::watch_scoreboard),
    ("changes_heard_once", changes::heard_once),
    ("scoring_policy", scoring::scoring_policy),
    ("cli_tour", cli::cli_tour),
    ("cli_without_traps", cli_traps::cli_without_traps),
    ("login_profiles", cli_traps::login_profiles),
    (
        "messages_in_the_officer_s_language",
        cli::messages_in_the_officer_s_language,
    ),
    ("official_documents", documents::official_documents),
    ("json_api", http::json_api),
    ("share_links", http::share_links),
    ("health_and_reflection", health::health_and_reflection),
    ("graceful_shutdown", health::graceful_shutdown),
    (
        "server_stops_with_its_supervisor",
        health::server_stops_with_its_supervisor,
    ),
    ("authentication", security::authentication),
    ("policy_walk", security::policy_walk),
    ("audit_chain", security::audit_chain),
    ("audit_checkpoint", security::audit_checkpoint),
    ("limits", security::limits),
    ("mutual_tls", security::mutual_tls),
    ("races", concurrency::races),
    ("load_shedding", concurrency::load_shedding),
    ("deadlines_roll_back", concurrency::deadlines_roll_back),
    ("crash_safety", crash::crash_safety),
    ("backup_and_restore", backup::backup_and_restore),
];

/// Scenarios of the transport in front of the database, run once (on SQLite): the backend
/// plays no part in them.
const TRANSPORT_SCENARIOS: &[(&str, Scenario)] = &[
    ("idle_connections", security::idle_connections),
    ("made_up_keys", security::made_up_keys),
    ("startup_refusals", health::startup_refusals),
    ("observability", observability::observability),
    ("openapi_document", http::openapi_document),
    ("json_api_from_python", http::json_api_from_python),
    ("live_page_in_a_browser", http::live_page_in_a_browser),
    ("expired_link_in_a_browser", http::expired_link_in_a_browser),
    ("page_with_an_api_key", http::page_with_an_api_key),
];

fn main() -> std::process::ExitCode {
    let args = Arguments::from_args();
    let require_postgres = std::env::var("THIDUA_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    let wants_postgres = args
        .filter
        .as_deref()
        .is_none_or(|f| "postgres".contains(f) || !f.contains("sqlite"));
    let postgres = if wants_postgres && !args.list {
        match Postgres::start(Durability::Off) {
            Ok(pg) => Some(Arc::new(pg)),
            Err(e) if require_postgres => {
                eprintln!("THIDUA_REQUIRE_POSTGRES=1 but PostgreSQL cannot be started: {e:#}");
                return std::process::ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!(
                    "\n!!!! POSTGRESQL TESTS SKIPPED: {e:#} (set THIDUA_TEST_DATABASE_URL or install PostgreSQL) !!!!\n"
                );
                None
            }
        }
    } else {
        None
    };
    let mut trials = Vec::new();
    for (name, scenario) in SCENARIOS {
        let scenario = *scenario;
        trials.push(Trial::test(format!("sqlite::{name}"), move || {
            run(None, scenario)
        }));
        let pg = postgres.clone();
        let label = name.replace('_', "");
        let trial = Trial::test(format!("postgres::{name}"), move || match &pg {
            Some(pg) => {
                let url = pg
                    .new_database(&label)
                    .map_err(|e| Failed::from(format!("{e:#}")))?;
                run(Some(url), scenario).map_err(|e| {
                    let log = pg
                        .log_path()
                        .map(|p| format!(" (server log: {})", p.display()))
                        .unwrap_or_default();
                    Failed::from(format!("{}{log}", e.message().unwrap_or_default()))
                })
            }
            None => Err(Failed::from("PostgreSQL unavailable")),
        });
        trials.push(trial.with_ignored_flag(postgres.is_none() && !require_postgres));
    }
    for (name, scenario) in TRANSPORT_SCENARIOS {
        let scenario = *scenario;
        trials.push(Trial::test(format!("sqlite::{name}"), move || {
            run(None, scenario)
        }));
    }
    // Stops its database: a PostgreSQL cluster of its own.
    trials.push(
        Trial::test("postgres::outage_recovery", move || {
            let pg =
                Postgres::throwaway(Durability::Off).map_err(|e| Failed::from(format!("{e:#}")))?;
            let url = pg
                .new_database("outage")
                .map_err(|e| Failed::from(format!("{e:#}")))?;
            concurrency::outage_recovery(&pg, url).map_err(|e| Failed::from(format!("{e:#}")))
        })
        .with_ignored_flag(postgres.is_none() && !require_postgres),
    );
    let pg = postgres.clone();
    trials.push(
        Trial::test("postgres::migration_parity", move || match &pg {
            Some(pg) => {
                let url = pg
                    .new_database("parity")
                    .map_err(|e| Failed::from(format!("{e:#}")))?;
                migrations::parity(&url).map_err(|e| Failed::from(format!("{e:#}")))
            }
            None => Err(Failed::from("PostgreSQL unavailable")),
        })
        .with_ignored_flag(postgres.is_none() && !require_postgres),
    );
    let conclusion = libtest_mimic::run(&args, trials);
    drop(postgres);
    conclusion.exit_code()
}

fn run(url: Option<String>, scenario: Scenario) -> Result<(), Failed> {
    let env = Env::start(url).map_err(|e| Failed::from(format!("{e:#}")))?;
    scenario(&env).map_err(|e| Failed::from(format!("{e:#}")))
}
