//! Reading a client-streamed import (ImportUnits, ImportResults): the first message carries the
//! import's header fields (scheme or term, request id, …) and every message may carry rows. A
//! later message carries rows only; one with any header field, even the same again, is
//! refused, and so is an upload past its row limit, before anything is converted.

use thidua_domain::{FieldViolation, reporting::ImportRow, text};
use thidua_proto::v1 as pb;
use tonic::{Status, Streaming};

use super::{idempotency, invalid, line_of};
use crate::authorization::{message_digest, unit_key};

/// A message of a streamed import.
pub trait UploadMessage: prost::Message + Default + PartialEq + 'static {
    /// One row of the upload.
    type Row;
    /// What its rows are, for the import-rows metric.
    const KIND: &'static str;
    /// The header field named when a later message carries header fields.
    const HEADER_FIELD: &'static str;
    /// The header fields, for that message.
    const HEADER_FIELDS: &'static str;
    /// Takes the rows out, leaving the header.
    fn take_rows(&mut self) -> Vec<Self::Row>;
}

impl UploadMessage for pb::ImportUnitsRequest {
    type Row = pb::UnitRow;
    const KIND: &'static str = "units";
    const HEADER_FIELD: &'static str = "scheme";
    const HEADER_FIELDS: &'static str = "scheme, request_id and validity";
    fn take_rows(&mut self) -> Vec<pb::UnitRow> {
        std::mem::take(&mut self.rows)
    }
}

impl UploadMessage for pb::ImportResultsRequest {
    type Row = pb::ResultRow;
    const KIND: &'static str = "results";
    const HEADER_FIELD: &'static str = "term";
    const HEADER_FIELDS: &'static str = "term and request_id";
    fn take_rows(&mut self) -> Vec<pb::ResultRow> {
        std::mem::take(&mut self.rows)
    }
}

/// Reads a whole upload: its header (the first message without rows; the default when the
/// stream was empty) and every row, at most `max_rows`.
pub async fn read_upload<M: UploadMessage>(
    stream: &mut Streaming<M>,
    max_rows: usize,
) -> Result<(M, Vec<M::Row>), Status> {
    let mut header: Option<M> = None;
    let mut rows: Vec<M::Row> = Vec::new();
    while let Some(mut message) = stream.message().await? {
        let batch = message.take_rows();
        match &header {
            None => header = Some(message),
            Some(_) if message == M::default() => {}
            Some(_) => {
                return Err(invalid(FieldViolation::new(
                    M::HEADER_FIELD,
                    format!(
                        "only the first message of an import carries {}",
                        M::HEADER_FIELDS
                    ),
                )));
            }
        }
        if rows.len() + batch.len() > max_rows {
            return Err(invalid(FieldViolation::new(
                "rows",
                thidua_domain::words!("import-too-many-rows", max = max_rows),
            )));
        }
        rows.extend(batch);
    }
    crate::metrics::import_rows(M::KIND, rows.len());
    Ok((header.unwrap_or_default(), rows))
}

/// A result import's rows as the use case takes them, with what admission and the audit need.
pub struct PreparedResults {
    /// The rows, converted.
    pub rows: Vec<ImportRow>,
    /// The request id and the request's digest, for a replay.
    pub key: Option<crate::app::Idempotency>,
    /// The digest of the whole upload, for the audit.
    pub digest: String,
    /// Every unit the rows are for: a reporter may import only its own.
    pub units: Vec<String>,
}

/// Converts and digests the rows of a result import: CPU work proportional to the import, done
/// off the async workers ([`in_bulk_runtime`]).
pub fn prepare_results(
    term: String,
    request_id: &str,
    sent: Vec<pb::ResultRow>,
) -> Result<PreparedResults, Status> {
    let mut rows: Vec<ImportRow> = Vec::with_capacity(sent.len());
    for row in &sent {
        rows.push(ImportRow {
            line: line_of(row.line, rows.len() + 1),
            unit: row.unit.clone(),
            code: row.criterion_code.clone(),
            value: row.value.clone(),
            evidence_ref: text::normalize(&row.evidence_reference),
            evidence_note: row.evidence_description.clone(),
            explanation: row.explanation.clone(),
        });
    }
    let mut units: Vec<String> = sent.iter().map(|r| unit_key(&r.unit)).collect();
    units.sort_unstable();
    units.dedup();
    let digest_source = pb::ImportResultsRequest {
        term,
        request_id: String::new(),
        rows: sent,
    };
    Ok(PreparedResults {
        rows,
        key: idempotency("ImportResults", request_id, &digest_source)?,
        digest: message_digest(&digest_source),
        units,
    })
}
