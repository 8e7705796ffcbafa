//! The architecture's rules that a reader of `Cargo.toml` files and sources can check, checked:
//! which crate may depend on which (ARCHITECTURE.md, "Invariants"), that only
//! `server/src/status.rs` turns errors into gRPC statuses, and that no source file grows past
//! 600 lines.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The names under `[dependencies]` (not dev-dependencies) of a crate's manifest.
fn dependencies(krate: &str) -> Vec<String> {
    let manifest = std::fs::read_to_string(root().join("crates").join(krate).join("Cargo.toml"))
        .unwrap_or_else(|e| panic!("{krate}/Cargo.toml: {e}"));
    let mut inside = false;
    let mut names = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == "[dependencies]";
        } else if inside && !line.is_empty() && !line.starts_with('#') {
            let name = line
                .split(['=', '.', ' '])
                .next()
                .unwrap_or_default()
                .to_owned();
            names.push(name);
        }
    }
    names
}

/// Every tracked `.rs` file under `dir` (relative to the repository root).
fn sources(dir: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() && path.file_name().is_some_and(|n| n != "target") {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join(dir), &mut out);
    out
}

#[test]
fn each_crate_depends_only_on_what_its_layer_allows() {
    let forbidden: &[(&str, &[&str])] = &[
        // The rules: no I/O, no async, no SQL, no gRPC.
        (
            "domain",
            &[
                "diesel",
                "diesel_migrations",
                "tokio",
                "tonic",
                "prost",
                "thidua-proto",
                "thidua-storage",
                "thidua-server",
            ],
        ),
        // Storage knows SQL, not the contract.
        (
            "storage",
            &["tonic", "prost", "thidua-proto", "thidua-server"],
        ),
        // The CLI is a client: it never opens the database.
        (
            "cli",
            &[
                "diesel",
                "diesel_migrations",
                "libsqlite3-sys",
                "thidua-storage",
                "thidua-server",
            ],
        ),
        // The server reaches the database through storage only.
        ("server", &["diesel", "diesel_migrations", "libsqlite3-sys"]),
        ("proto", &["diesel", "thidua-domain", "thidua-storage"]),
    ];
    for (krate, banned) in forbidden {
        let deps = dependencies(krate);
        assert!(!deps.is_empty(), "{krate} has no dependencies read");
        for b in *banned {
            assert!(
                !deps.iter().any(|d| d == b),
                "crates/{krate} depends on {b}, which its layer may not"
            );
        }
    }
}

#[test]
fn only_the_status_module_makes_grpc_statuses() {
    let constructors = [
        "Status::new(",
        "Status::with_",
        "Status::invalid_argument(",
        "Status::internal(",
        "Status::not_found(",
        "Status::permission_denied(",
        "Status::unauthenticated(",
        "Status::resource_exhausted(",
        "Status::failed_precondition(",
        "Status::unavailable(",
    ];
    let status = root().join("crates/server/src/status.rs");
    let mut found = Vec::new();
    for file in sources("crates/server/src") {
        if file == status {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for c in constructors {
            if text.contains(c) {
                found.push(format!("{}: {c}", file.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "statuses made outside status.rs: {found:?}"
    );
}

#[test]
fn only_storage_writes_sql_in_the_product() {
    let mut found = Vec::new();
    for dir in [
        "crates/domain/src",
        "crates/server/src",
        "crates/cli/src",
        "crates/proto/src",
    ] {
        for file in sources(dir) {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            if text.contains("diesel::") || text.contains("sql_query") {
                found.push(file.display().to_string());
            }
        }
    }
    assert!(found.is_empty(), "SQL outside storage: {found:?}");
}

#[test]
fn no_source_file_is_over_600_lines() {
    let mut long = Vec::new();
    for dir in ["crates", "tests"] {
        for file in sources(dir) {
            let lines = std::fs::read_to_string(&file)
                .map(|t| t.lines().count())
                .unwrap_or_default();
            if lines > 600 {
                long.push(format!("{} ({lines} lines)", file.display()));
            }
        }
    }
    assert!(
        long.is_empty(),
        "split these along their concerns (or give a reason in ARCHITECTURE.md): {long:?}"
    );
}
