//! The contract, the code and the README agree:
//! - the policy table has exactly one row per RPC of `thidua.v1` (a new RPC without a row is
//!   refused at runtime, deny by default; this makes the omission fail the tests instead);
//! - `ErrorReason` in `common.proto` lists exactly the reasons the server sends;
//! - the README's tables of error reasons and of who may call what are the ones generated here
//!   from the contract and the policy table. To refresh them after a change, run this test
//!   with `THIDUA_BLESS=1`.

use prost::Message;
use prost_types::{FileDescriptorProto, FileDescriptorSet};
use thidua_domain::{
    access::{Effect, POLICY},
    error::Reason,
};

fn contract() -> FileDescriptorSet {
    FileDescriptorSet::decode(thidua_proto::FILE_DESCRIPTOR_SET).unwrap_or_default()
}

fn thidua_files(set: &FileDescriptorSet) -> impl Iterator<Item = &FileDescriptorProto> {
    set.file.iter().filter(|f| f.package() == "thidua.v1")
}

/// Every RPC, as `Service/Method`, in the contract's order.
fn methods(set: &FileDescriptorSet) -> Vec<String> {
    thidua_files(set)
        .flat_map(|f| f.service.iter())
        .flat_map(|s| {
            s.method
                .iter()
                .map(move |m| format!("{}/{}", s.name(), m.name()))
        })
        .collect()
}

/// The leading comment at `path` of `file`, on one line.
fn comment(file: &FileDescriptorProto, path: &[i32]) -> String {
    file.source_code_info
        .iter()
        .flat_map(|i| i.location.iter())
        .find(|l| l.path == path)
        .map(|l| {
            l.leading_comments()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

/// `ErrorReason`'s values without the prefix, each with its comment.
fn contract_reasons(set: &FileDescriptorSet) -> Vec<(String, String)> {
    const ENUM_TYPE: i32 = 5;
    const ENUM_VALUE: i32 = 2;
    let mut reasons = Vec::new();
    for file in thidua_files(set) {
        for (e, kind) in file.enum_type.iter().enumerate() {
            if kind.name() != "ErrorReason" {
                continue;
            }
            let e = i32::try_from(e).unwrap_or_default();
            for (v, value) in kind.value.iter().enumerate() {
                let Some(name) = value.name().strip_prefix("ERROR_REASON_") else {
                    continue;
                };
                if name == "UNSPECIFIED" {
                    continue;
                }
                let v = i32::try_from(v).unwrap_or_default();
                reasons.push((
                    name.to_owned(),
                    comment(file, &[ENUM_TYPE, e, ENUM_VALUE, v]),
                ));
            }
        }
    }
    reasons
}

#[test]
fn every_rpc_has_one_policy_row_and_every_row_an_rpc() {
    let methods = methods(&contract());
    assert!(methods.len() >= 63, "only {} methods found", methods.len());
    let rows: Vec<&str> = POLICY.iter().map(|(m, _, _)| *m).collect();
    let missing: Vec<&String> = methods
        .iter()
        .filter(|m| !rows.contains(&m.as_str()))
        .collect();
    let stale: Vec<&&str> = rows
        .iter()
        .filter(|r| !methods.iter().any(|m| m == **r))
        .collect();
    assert!(missing.is_empty(), "RPCs without a policy row: {missing:?}");
    assert!(stale.is_empty(), "policy rows without an RPC: {stale:?}");
    assert_eq!(rows.len(), methods.len());
}

#[test]
fn the_contract_lists_every_error_reason_the_server_sends() {
    let listed: Vec<String> = contract_reasons(&contract())
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let sent: Vec<String> = Reason::ALL.iter().map(|r| r.as_str().to_owned()).collect();
    assert_eq!(
        listed, sent,
        "ErrorReason in common.proto and domain::error::Reason"
    );
}

/// The README's generated sections, as they should read.
fn generated_sections() -> Vec<(&'static str, String)> {
    let set = contract();
    let mut reasons = String::from("| `ErrorInfo.reason` | meaning |\n| --- | --- |\n");
    for (name, meaning) in contract_reasons(&set) {
        reasons.push_str(&format!("| `{name}` | {meaning} |\n"));
    }
    let mut roles =
        String::from("| RPC | who may call it | changes state |\n| --- | --- | --- |\n");
    for method in methods(&set) {
        let Some((_, need, effect)) = POLICY.iter().find(|(m, _, _)| *m == method) else {
            continue;
        };
        let need = format!("{need:?}").to_lowercase();
        let writes = if *effect == Effect::Write { "yes" } else { "" };
        roles.push_str(&format!("| `{method}` | {need} | {writes} |\n"));
    }
    vec![("error-reasons", reasons), ("roles", roles)]
}

#[test]
fn the_readme_tables_are_generated_from_the_contract_and_the_policy() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let readme = std::fs::read_to_string(&path).unwrap_or_default();
    let mut expected = readme.clone();
    for (name, table) in generated_sections() {
        let (begin, end) = (
            format!("<!-- generated: {name} -->\n"),
            format!("<!-- end: {name} -->"),
        );
        let (Some(from), Some(to)) = (expected.find(&begin), expected.find(&end)) else {
            panic!("README.md lacks the markers {begin:?} … {end:?}");
        };
        expected.replace_range(from + begin.len()..to, &table);
    }
    kept_current(&path, &readme, &expected, "README.md's generated tables");
}

/// Asserts that the file at `path` (read as `written`) holds `expected`; with
/// `THIDUA_BLESS=1`, writes it instead.
fn kept_current(path: &std::path::Path, written: &str, expected: &str, what: &str) {
    if written != expected && std::env::var("THIDUA_BLESS").is_ok_and(|v| v == "1") {
        assert!(
            std::fs::write(path, expected).is_ok(),
            "cannot write {}",
            path.display()
        );
        return;
    }
    assert!(
        written == expected,
        "{what} are out of date: run `THIDUA_BLESS=1 cargo test -p thidua-server --test contract`"
    );
}

#[test]
fn the_readme_explains_every_need_it_lists() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let readme = std::fs::read_to_string(&path).unwrap_or_default();
    for (_, need, _) in POLICY {
        let need = format!("- **{need:?}**").to_lowercase();
        assert!(readme.contains(&need), "README.md does not explain {need}");
    }
}

/// `docs/openapi.json`: the JSON API's document, as the server serves it at `/openapi.json`,
/// kept beside the code for readers without a server.
#[test]
fn the_openapi_document_in_docs_is_the_one_served() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    let expected = serde_json::to_string_pretty(&thidua_server::http::openapi::document())
        .unwrap_or_default()
        + "\n";
    let written = std::fs::read_to_string(&path).unwrap_or_default();
    kept_current(&path, &written, &expected, "docs/openapi.json's contents");
}
