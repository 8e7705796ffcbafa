//! Hostile input, property-tested: mutated and arbitrary requests go through the real
//! handlers of the import and scoring paths (decoding, validation, the use case, SQLite). No
//! input may panic the server or be answered INTERNAL.

use std::sync::OnceLock;

use proptest::prelude::*;
use prost::Message;
use thidua_proto::v1::{
    self as pb, scoring_service_server::ScoringService, target_service_server::TargetService,
    unit_service_server::UnitService,
};
use thidua_server::{
    auth::Credentials,
    authorization::CalledMethod,
    service::{scoring::Scoring, targets::Targets, units::Units},
};
use thidua_storage::Store;
use tonic::{Code, Request};

/// The seed case in a database of its own, and a runtime, shared by every case.
struct World {
    _dir: tempfile::TempDir,
    store: Store,
    rt: tokio::runtime::Runtime,
    /// The digest of an administrator key, as the authentication layer passes it on.
    admin: String,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let path = dir.path().join("hostile.db");
        let store = Store::open(&path.display().to_string())
            .unwrap_or_else(|e| panic!("opening the store: {e}"));
        thidua_server::demo::load(&store).unwrap_or_else(|e| panic!("loading the demo: {e}"));
        let token = thidua_server::app::keys::bootstrap_admin(&store, false)
            .ok()
            .flatten()
            .map(|(_, token)| token)
            .unwrap_or_else(|| panic!("no administrator key"));
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("runtime: {e}"));
        World {
            _dir: dir,
            store,
            rt,
            admin: thidua_domain::access::token_digest(&token),
        }
    })
}

/// A request as the authentication layer hands it on: an administrator's, so validation is
/// reached on every path.
fn admitted<T>(message: T, method: &'static str) -> Request<T> {
    let mut request = Request::new(message);
    request
        .extensions_mut()
        .insert(Credentials(world().admin.clone()));
    request.extensions_mut().insert(CalledMethod(method));
    request
}

fn never_internal<T>(outcome: Result<T, tonic::Status>) -> Result<(), TestCaseError> {
    if let Err(status) = outcome {
        prop_assert_ne!(status.code(), Code::Internal, "{}", status.message());
        prop_assert_ne!(status.code(), Code::Unknown, "{}", status.message());
    }
    Ok(())
}

/// `seed` with bytes overwritten, a tail cut and bytes inserted.
fn mutate(seed: &[u8], edits: &[(usize, u8)], cut: usize, insert: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    if !bytes.is_empty() {
        for (at, b) in edits {
            let i = at % bytes.len();
            bytes[i] = *b;
        }
    }
    bytes.truncate(bytes.len().saturating_sub(cut % 8));
    let at = if bytes.is_empty() {
        0
    } else {
        cut % bytes.len()
    };
    bytes.splice(at..at, insert.iter().copied());
    bytes
}

fn term() -> String {
    format!(
        "clusters/{}/terms/{}",
        thidua_server::demo::CLUSTER_ID,
        thidua_server::demo::YEAR
    )
}

fn seed_result() -> pb::SubmitResultRequest {
    pb::SubmitResultRequest {
        term: term(),
        result: Some(pb::ReportedResult {
            unit: "units/qd124-2004~01843".into(),
            criterion_code: "I.1".into(),
            value: Some(pb::Decimal {
                value: "97.5".into(),
            }),
            evidence_reference: "Báo cáo số 12/BC-UBND".into(),
            ..Default::default()
        }),
    }
}

fn seed_score() -> pb::RecordScoreRequest {
    pb::RecordScoreRequest {
        term: term(),
        unit: "units/qd124-2004~01849".into(),
        criterion_code: "I.1".into(),
        layer: pb::ScoreLayer::Review.into(),
        points: Some(pb::Decimal {
            value: "9.5".into(),
        }),
        reason: "Chấm chéo của phường Phùng Chí Kiên".into(),
    }
}

const TARGETS_CSV: &str = "unit,criterion_code,value\nqd124-2004~01843,I.1,100\n";
const TABLE_CSV: &str = "code,parent_code,title,rule,max_points\nI,,Phát triển kinh tế,group,60\n";

fn edits() -> impl Strategy<Value = (Vec<(usize, u8)>, usize, Vec<u8>)> {
    (
        prop::collection::vec((any::<usize>(), any::<u8>()), 0..12),
        any::<usize>(),
        prop::collection::vec(any::<u8>(), 0..24),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn mutated_results_and_scores_are_refused_cleanly((e, cut, ins) in edits()) {
        let w = world();
        let scoring = Scoring::new(w.store.clone(), tokio::sync::watch::channel(false).1);
        let bytes = mutate(&seed_result().encode_to_vec(), &e, cut, &ins);
        if let Ok(request) = pb::SubmitResultRequest::decode(bytes.as_slice()) {
            let out = w.rt.block_on(scoring.submit_result(admitted(request, "ScoringService/SubmitResult")));
            never_internal(out)?;
        }
        let bytes = mutate(&seed_score().encode_to_vec(), &e, cut, &ins);
        if let Ok(request) = pb::RecordScoreRequest::decode(bytes.as_slice()) {
            let out = w.rt.block_on(scoring.record_score(admitted(request, "ScoringService/RecordScore")));
            never_internal(out)?;
        }
    }

    #[test]
    fn arbitrary_text_in_results_is_refused_cleanly(
        unit in any::<String>(),
        code in any::<String>(),
        value in any::<String>(),
        evidence in any::<String>(),
    ) {
        let w = world();
        let scoring = Scoring::new(w.store.clone(), tokio::sync::watch::channel(false).1);
        let mut request = seed_result();
        if let Some(r) = request.result.as_mut() {
            r.unit = unit;
            r.criterion_code = code;
            r.value = Some(pb::Decimal { value });
            r.evidence_reference = evidence;
        }
        let out = w.rt.block_on(scoring.submit_result(admitted(request, "ScoringService/SubmitResult")));
        never_internal(out)?;
    }

    #[test]
    fn mutated_spreadsheets_are_refused_cleanly((e, cut, ins) in edits(), xlsx in any::<bool>()) {
        let w = world();
        let targets = Targets::new(w.store.clone());
        let format = if xlsx { pb::SpreadsheetFormat::Xlsx } else { pb::SpreadsheetFormat::Csv };
        let seed = if xlsx {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            for (r, line) in TARGETS_CSV.lines().enumerate() {
                for (c, cell) in line.split(',').enumerate() {
                    let _ = sheet.write_string(r as u32, c as u16, cell);
                }
            }
            book.save_to_buffer().unwrap_or_default()
        } else {
            TARGETS_CSV.as_bytes().to_vec()
        };
        let content = mutate(&seed, &e, cut, &ins);
        let out = w.rt.block_on(targets.import_targets(admitted(
            pb::ImportTargetsRequest { term: term(), content: content.clone(), format: format.into() },
            "TargetService/ImportTargets",
        )));
        never_internal(out)?;
        let table_content = mutate(TABLE_CSV.as_bytes(), &e, cut, &ins);
        let out = w.rt.block_on(targets.import_criteria_table(admitted(
            pb::ImportCriteriaTableRequest {
                table: format!("criteriaTables/{}", thidua_server::demo::TABLE_ID),
                content: if xlsx { content } else { table_content },
                format: format.into(),
                etag: String::new(),
            },
            "TargetService/ImportCriteriaTable",
        )));
        never_internal(out)?;
    }

    #[test]
    fn mutated_unit_requests_are_refused_cleanly((e, cut, ins) in edits()) {
        let w = world();
        let units = Units::new(w.store.clone());
        let seed = pb::CreateUnitRequest {
            unit: Some(pb::Unit {
                scheme: "qd124-2004".into(),
                code: "01858".into(),
                display_name: "Bằng Thành".into(),
                kind: pb::UnitKind::Commune.into(),
                parent: "units/qd124-2004~058".into(),
                ..Default::default()
            }),
            request_id: String::new(),
        };
        let bytes = mutate(&seed.encode_to_vec(), &e, cut, &ins);
        if let Ok(request) = pb::CreateUnitRequest::decode(bytes.as_slice()) {
            let out = w.rt.block_on(units.create_unit(admitted(request, "UnitService/CreateUnit")));
            never_internal(out)?;
        }
    }
}

/// The seeds pass validation and reach the use cases (the seed term is past reporting, so
/// they stop at its stage): the properties above exercise validation, not a refusal at the door.
#[test]
fn the_seeds_pass_validation() {
    let w = world();
    let scoring = Scoring::new(w.store.clone(), tokio::sync::watch::channel(false).1);
    let stage = |out: Result<(), tonic::Status>| {
        use tonic_types::StatusExt;
        out.err().is_some_and(|s| {
            s.code() == Code::FailedPrecondition
                && s.get_error_details()
                    .error_info()
                    .is_some_and(|i| i.reason == "WRONG_STAGE")
        })
    };
    let out = w
        .rt
        .block_on(scoring.submit_result(admitted(seed_result(), "ScoringService/SubmitResult")));
    assert!(stage(out.map(|_| ())));
    let out =
        w.rt.block_on(scoring.record_score(admitted(seed_score(), "ScoringService/RecordScore")));
    assert!(stage(out.map(|_| ())));
}
