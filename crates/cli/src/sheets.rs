//! Reading and writing spreadsheet files for the server, which parses them.

use std::path::Path;

use thidua_proto::v1 as pb;

use crate::failure::Failure;

/// Largest file sent: the server's message limit is 4 MiB.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024 - 64 * 1024;

/// The format of a file, from `--format` or its extension.
pub fn format(path: &Path, given: Option<&str>) -> Result<pb::SpreadsheetFormat, Failure> {
    let ext = given
        .map(str::to_owned)
        .or_else(|| {
            path.extension()
                .and_then(|e| e.to_str())
                .map(str::to_lowercase)
        })
        .unwrap_or_default();
    match ext.as_str() {
        "csv" => Ok(pb::SpreadsheetFormat::Csv),
        "xlsx" => Ok(pb::SpreadsheetFormat::Xlsx),
        other => Err(Failure::input(format!(
            "{}: cannot tell the format from `{other}`; use a .csv or .xlsx file, or --format csv|xlsx",
            path.display()
        ))),
    }
}

/// Reads a file to send, refusing one over the server's message limit before sending it.
pub fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    let size = std::fs::metadata(path)
        .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(Failure::input(format!(
            "{}: {size} bytes is over the {MAX_FILE_BYTES}-byte limit of one upload; split the file",
            path.display()
        )));
    }
    std::fs::read(path).map_err(|e| Failure::input(format!("{}: {e}", path.display())))
}

/// Writes a file received from the server.
pub fn write(path: &Path, content: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, content).map_err(|e| Failure::other(format!("{}: {e}", path.display())))
}
