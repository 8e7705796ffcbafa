//! The policy walk after the 2025 reform: the seed cluster handed from Bắc Kạn city to Thái
//! Nguyên province. Every call on the cluster, its 2022 term (organised by the city) and its 2026
//! term (organised by the province) is made by the successor's and the former organiser's keys
//! and by observers above each, and answered as the transfer rules say: the successor reads and
//! manages the whole history; the city and the old province read the years the city organised,
//! and nothing more.

use anyhow::ensure;
use thidua_proto::v1 as pb;
use tonic::Code;

use super::{
    create_key_for,
    policy_cases::{CASES, CLUSTER, COVENANT, KIEN, READ_TERM, TERM, Value},
    policy_walk::{Contract, call_raw},
};
use crate::{
    env::Env,
    support::{create_2025_units, create_term, legacy, reform},
};

const TERM_2026: &str = "clusters/bac-kan-city/terms/2026";
const COVENANT_2026: &str = "clusters/bac-kan-city/terms/2026/covenant";
const BAC_KAN_WARD: &str = "units/qd19-2025~01843";

/// Who calls, and from where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    /// Organiser key of Thái Nguyên, the successor.
    Successor,
    /// Observer key of Thái Nguyên.
    SuccessorObserver,
    /// Organiser key of Bắc Kạn city, the former organiser.
    FormerOrganiser,
    /// Observer key of Bắc Kạn province, above the former organiser.
    FormerObserver,
}

/// What a case touches: the cluster itself, or one of its terms.
fn touches(fields: &[(&str, Value<'_>)]) -> Option<&'static str> {
    let mut found = None;
    for (_, value) in fields {
        if let Value::Str(s) = value {
            if s.starts_with(TERM) || s.starts_with("awards/") {
                return Some("term");
            }
            if *s == CLUSTER {
                found = Some("cluster");
            }
        }
    }
    found
}

/// Whether `caller` may make a call of `expect` (the main walk's row) on the 2022 term
/// (`old`) or else the 2026 term or the cluster.
fn admitted(caller: Caller, expect: &str, what: &str, old: bool) -> bool {
    let column = |role: usize| {
        expect
            .split(' ')
            .nth(role)
            .is_some_and(|r| r.starts_with('+'))
    };
    match caller {
        Caller::Successor => column(1),
        Caller::SuccessorObserver => column(3),
        Caller::FormerOrganiser | Caller::FormerObserver => {
            old && what == "term" && expect == READ_TERM
        }
    }
}

/// Records the transfer, creates the 2026 term of the successors, and walks every call that
/// touches the cluster.
pub(super) async fn after_transfer(env: &Env, contract: &Contract) -> anyhow::Result<()> {
    create_2025_units(env).await?;
    let transferred = env
        .clusters()
        .await?
        .transfer_cluster(pb::TransferClusterRequest {
            cluster: CLUSTER.into(),
            to_organiser: "units/qd19-2025~19".into(),
            effective_date: Some(reform()),
            legal_act: "Nghị quyết 1683/NQ-UBTVQH15".into(),
            ..Default::default()
        })
        .await?
        .into_inner()
        .cluster
        .unwrap_or_default();
    ensure!(transferred.organiser == "units/qd19-2025~19");
    create_term(env, "bac-kan-city", 2026, &[BAC_KAN_WARD.to_owned()]).await?;
    let mut callers = Vec::new();
    for (caller, role, scope) in [
        (
            Caller::Successor,
            pb::Role::Organiser,
            "units/qd19-2025~19".to_owned(),
        ),
        (
            Caller::SuccessorObserver,
            pb::Role::Observer,
            "units/qd19-2025~19".to_owned(),
        ),
        (Caller::FormerOrganiser, pb::Role::Organiser, legacy("058")),
        (Caller::FormerObserver, pb::Role::Observer, legacy("06")),
    ] {
        let token = create_key_for(env, &format!("{caller:?}"), role, &scope).await?;
        callers.push((caller, token));
    }
    let methods = contract.methods();
    let mut mismatches = Vec::new();
    let mut walked = 0;
    for case in CASES {
        let Some(what) = touches(case.fields) else {
            continue;
        };
        let Some((_, input)) = methods.iter().find(|(m, _)| m == case.method) else {
            continue;
        };
        // The 2022 term as walked before, then the same call on the 2026 term.
        let years: &[bool] = if what == "term"
            && !case
                .fields
                .iter()
                .any(|(_, v)| matches!(v, Value::Str(s) if s.starts_with("awards/")))
        {
            &[true, false]
        } else {
            &[what == "term"]
        };
        for &old in years {
            let fields: Vec<(&str, Value<'_>)> = case
                .fields
                .iter()
                .map(|(path, value)| {
                    let value = match value {
                        Value::Str(s) if !old && *s == TERM => Value::Str(TERM_2026),
                        Value::Str(s) if !old && *s == COVENANT => Value::Str(COVENANT_2026),
                        Value::Str(s) if !old && matches!(KIEN, Value::Str(k) if k == *s) => {
                            Value::Str(BAC_KAN_WARD)
                        }
                        other => *other,
                    };
                    (*path, value)
                })
                .collect();
            let body = contract.encode(input, &fields)?;
            for (caller, token) in &callers {
                walked += 1;
                let expected = admitted(*caller, case.expect, what, old);
                let code = call_raw(env, token, case.method, body.clone()).await?;
                let refused = code == Code::PermissionDenied;
                if code == Code::Unauthenticated || expected == refused {
                    mismatches.push(format!(
                        "{} on the {} as {caller:?}: expected {}, got {code:?}",
                        case.method,
                        if what == "cluster" {
                            "cluster"
                        } else if old {
                            "2022 term"
                        } else {
                            "2026 term"
                        },
                        if expected {
                            "admitted"
                        } else {
                            "PERMISSION_DENIED"
                        },
                    ));
                }
            }
        }
    }
    ensure!(
        walked > 150,
        "only {walked} calls walked after the transfer"
    );
    ensure!(
        mismatches.is_empty(),
        "{} mismatches after the transfer:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    Ok(())
}
