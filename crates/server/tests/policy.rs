//! The policy table and the contract agree: every RPC of `thidua.v1` has exactly one row, and
//! every row names an RPC that exists. A new RPC without a row is refused at runtime (deny by
//! default); this test makes the omission fail the build's tests instead.

use prost::Message;
use thidua_domain::access::POLICY;

#[test]
fn every_rpc_has_one_policy_row_and_every_row_an_rpc() {
    let files = prost_types::FileDescriptorSet::decode(thidua_proto::FILE_DESCRIPTOR_SET)
        .unwrap_or_default();
    let methods: Vec<String> = files
        .file
        .iter()
        .filter(|f| f.package() == "thidua.v1")
        .flat_map(|f| f.service.iter())
        .flat_map(|s| {
            s.method
                .iter()
                .map(move |m| format!("{}/{}", s.name(), m.name()))
        })
        .collect();
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
