//! The binary's own contract: help documents the exit codes, bad command lines exit 2, and
//! completions are generated. (Having an integration test also makes `cargo test --workspace`
//! build the `thidua` binary that the end-to-end tests drive.)

use std::process::Command;

fn thidua(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_thidua"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run thidua: {e}"))
}

#[test]
fn help_documents_exit_codes() {
    let out = thidua(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for code in [
        "0  success",
        "3  invalid input",
        "6  refused in the current state",
        "7  server unreachable",
    ] {
        assert!(text.contains(code), "help lacks `{code}`:\n{text}");
    }
}

#[test]
fn bad_command_lines_exit_2() {
    assert_eq!(thidua(&["unit", "frobnicate"]).status.code(), Some(2));
    assert_eq!(
        thidua(&["term", "show", "bac-kan-city", "năm"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn completions_are_generated() {
    let out = thidua(&["completions", "bash"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("thidua"));
}

#[test]
fn bad_local_input_exits_3_before_any_call() {
    // The server address is unreachable: exit code 3 proves the kind was refused locally first.
    let out = thidua(&[
        "unit",
        "create",
        "--code",
        "01843",
        "--name",
        "Phùng Chí Kiên",
        "--kind",
        "lang",
        "--server",
        "http://127.0.0.1:1",
    ]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--kind"));
}

#[test]
fn an_unreachable_server_exits_7() {
    let out = thidua(&["cluster", "list", "--server", "http://127.0.0.1:1"]);
    assert_eq!(
        out.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
