//! The latest result of every (member, criterion) of a term (kết quả mới nhất), kept packed in
//! one row per term (`latest_results`) and rewritten in the same transaction as every result
//! stored. `results` stays the record of every revision; this row spares scoring and revision
//! numbering a read of the term's whole history, which grows with every correction and round.
//! A term without the row (its results stored before the row existed) is read from `results`,
//! and gets the row with its next result.

use std::{collections::BTreeMap, sync::Arc};

use diesel::prelude::*;
use rust_decimal::Decimal;
use thidua_domain::{Error, names::TermName, scoring::Entry, unit::UnitRef};

use crate::{
    Tx,
    connection::AnyConnection,
    errors::{corrupt, db},
    schema::{latest_results, results},
    units::parse_key,
};

/// Each (member key, criterion code)'s latest revision and entry.
pub(crate) type Latest = BTreeMap<(String, String), (i32, Entry)>;

/// Each member's latest entries, for the engine: codes shared across the term's members.
pub type LatestEntries = Vec<(UnitRef, Vec<(Arc<str>, Entry)>)>;

/// The packed layout's version, its first byte: a later layout gets a new number, and a row of
/// an unknown one is refused rather than misread.
const FORMAT: u8 = 1;

/// The bytes of one cell: member and code indices, revision, kind, scale, mantissa.
const CELL: usize = 4 + 4 + 4 + 1 + 1 + 16;

/// Packs `latest`: the format byte; the member keys and the codes, each a count and then
/// length-prefixed UTF-8; then the cells in (member, code) order, each the member's and the
/// code's index, the revision, the entry's kind, and its value as scale and 128-bit mantissa.
/// Little-endian throughout. About 30 bytes a cell: a 15-member, 60-criterion term is 27 KB.
pub(crate) fn pack(latest: &Latest) -> Vec<u8> {
    let mut units: Vec<&str> = Vec::new();
    for (unit, _) in latest.keys() {
        if units.last() != Some(&unit.as_str()) {
            units.push(unit);
        }
    }
    // Each code's index is its place in code order.
    let codes: BTreeMap<&str, u32> = latest
        .keys()
        .map(|(_, code)| code.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .zip(0..)
        .collect();
    let mut out = Vec::with_capacity(16 + latest.len() * 30);
    out.push(FORMAT);
    put_strings(&mut out, units.iter().copied());
    put_strings(&mut out, codes.keys().copied());
    put_u32(&mut out, latest.len());
    let mut unit_index = 0u32;
    let mut previous: Option<&str> = None;
    for ((unit, code), (revision, entry)) in latest {
        if previous.is_some_and(|p| p != unit) {
            unit_index += 1;
        }
        previous = Some(unit);
        out.extend_from_slice(&unit_index.to_le_bytes());
        out.extend_from_slice(&codes.get(code.as_str()).copied().unwrap_or(0).to_le_bytes());
        out.extend_from_slice(&revision.to_le_bytes());
        let (kind, value) = match entry {
            Entry::Actual(v) => (0u8, *v),
            Entry::Points(p) => (1, *p),
            Entry::Event(e) => (2, if *e { Decimal::ONE } else { Decimal::ZERO }),
        };
        out.push(kind);
        out.push(u8::try_from(value.scale()).unwrap_or(0));
        out.extend_from_slice(&value.mantissa().to_le_bytes());
    }
    out
}

fn put_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

fn put_strings<'a>(out: &mut Vec<u8>, strings: impl ExactSizeIterator<Item = &'a str>) {
    put_u32(out, strings.len());
    for s in strings {
        put_u32(out, s.len());
        out.extend_from_slice(s.as_bytes());
    }
}

/// Reads a packed row, refusing anything short, out of range or of another format.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len());
        let end = end.ok_or_else(|| corrupt("latest results", "(truncated)"))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn count(&mut self) -> Result<usize, Error> {
        usize::try_from(u32::from_le_bytes(self.array()?))
            .map_err(|_| corrupt("latest results", "(count)"))
    }

    fn strings(&mut self) -> Result<Vec<&'a str>, Error> {
        let n = self.count()?;
        // Each string takes at least its 4-byte length: a count past that is corrupt, and
        // must not reserve memory for it.
        if n > self.bytes.len() / 4 {
            return Err(corrupt("latest results", "(count)"));
        }
        (0..n)
            .map(|_| {
                let len = self.count()?;
                std::str::from_utf8(self.take(len)?)
                    .map_err(|_| corrupt("latest results", "(text)"))
            })
            .collect()
    }

    /// Opens a row: its format, and the tables of member keys and codes.
    fn open(bytes: &'a [u8]) -> Result<Packed<'a>, Error> {
        let mut r = Reader { bytes, at: 0 };
        let format = r.array::<1>()?[0];
        if format != FORMAT {
            return Err(corrupt("latest results format", &format.to_string()));
        }
        let units = r.strings()?;
        let codes = r.strings()?;
        let count = r.count()?;
        Ok(Packed {
            units,
            codes,
            count,
            reader: r,
        })
    }
}

/// An opened row: its tables, and its cells still to read.
struct Packed<'a> {
    units: Vec<&'a str>,
    codes: Vec<&'a str>,
    /// How many cells follow.
    count: usize,
    reader: Reader<'a>,
}

impl Packed<'_> {
    /// Reads each cell as (member index, code index, revision, entry), in stored order.
    fn cells(
        &self,
        mut cell: impl FnMut(usize, usize, i32, Entry) -> Result<(), Error>,
    ) -> Result<(), Error> {
        // Cells are fixed-size: the rest of the row must be exactly the count of them, checked
        // once here instead of field by field.
        let rest = &self.reader.bytes[self.reader.at..];
        if Some(rest.len()) != self.count.checked_mul(CELL) {
            return Err(corrupt("latest results", "(length)"));
        }
        let u32_at =
            |c: &[u8], at: usize| u32::from_le_bytes([c[at], c[at + 1], c[at + 2], c[at + 3]]);
        for c in rest.chunks_exact(CELL) {
            let unit = usize::try_from(u32_at(c, 0)).unwrap_or(usize::MAX);
            let code = usize::try_from(u32_at(c, 4)).unwrap_or(usize::MAX);
            if unit >= self.units.len() || code >= self.codes.len() {
                return Err(corrupt("latest results", "(index)"));
            }
            let revision = i32::from_le_bytes(c[8..12].try_into().unwrap_or_default());
            let (kind, scale) = (c[12], c[13]);
            let mantissa = i128::from_le_bytes(c[14..CELL].try_into().unwrap_or_default());
            let value = Decimal::try_from_i128_with_scale(mantissa, u32::from(scale))
                .map_err(|_| corrupt("latest results", "(value)"))?;
            let entry = match kind {
                0 => Entry::Actual(value),
                1 => Entry::Points(value),
                2 => Entry::Event(value == Decimal::ONE),
                other => return Err(corrupt("latest results kind", &other.to_string())),
            };
            cell(unit, code, revision, entry)?;
        }
        Ok(())
    }
}

/// Unpacks a row into the form revision numbering merges into.
pub(crate) fn unpack(bytes: &[u8]) -> Result<Latest, Error> {
    let packed = Reader::open(bytes)?;
    let mut latest = Latest::new();
    packed.cells(|u, c, revision, entry| {
        latest.insert(
            (packed.units[u].to_owned(), packed.codes[c].to_owned()),
            (revision, entry),
        );
        Ok(())
    })?;
    Ok(latest)
}

/// Unpacks a row into the engine's form, straight from the bytes: each member parsed once,
/// each code allocated once.
fn unpack_entries(bytes: &[u8]) -> Result<LatestEntries, Error> {
    let packed = Reader::open(bytes)?;
    let codes: Vec<Arc<str>> = packed.codes.iter().map(|c| Arc::from(*c)).collect();
    let mut out: LatestEntries = Vec::with_capacity(packed.units.len());
    let mut current = usize::MAX;
    packed.cells(|u, c, _, entry| {
        if u != current {
            // Most members report every criterion: one allocation each.
            out.push((parse_key(packed.units[u])?, Vec::with_capacity(codes.len())));
            current = u;
        }
        if let Some((_, pairs)) = out.last_mut() {
            pairs.push((codes[c].clone(), entry));
        }
        Ok(())
    })?;
    Ok(out)
}

/// Groups a term's latest results by member, for a term read from `results`.
fn entries_of(latest: Latest) -> Result<LatestEntries, Error> {
    let mut codes: BTreeMap<String, Arc<str>> = BTreeMap::new();
    let mut out: LatestEntries = Vec::new();
    let mut current: Option<String> = None;
    for ((unit, code), (_, entry)) in latest {
        if current.as_ref() != Some(&unit) {
            out.push((parse_key(&unit)?, Vec::new()));
            current = Some(unit);
        }
        let code = codes
            .entry(code)
            .or_insert_with_key(|c| Arc::from(c.as_str()))
            .clone();
        if let Some((_, pairs)) = out.last_mut() {
            pairs.push((code, entry));
        }
    }
    Ok(out)
}

/// The stored kind and value of an entry.
pub(crate) fn entry_cells(entry: Entry) -> (&'static str, String) {
    match entry {
        Entry::Actual(v) => ("actual", thidua_domain::decimal::format(v)),
        Entry::Points(p) => ("points", thidua_domain::decimal::format(p)),
        Entry::Event(e) => ("event", if e { "1" } else { "0" }.to_owned()),
    }
}

/// The entry of a stored kind and value.
pub(crate) fn parse_entry(kind: &str, value: &str) -> Result<Entry, Error> {
    let number = thidua_domain::decimal::parse("value", value)
        .map_err(|_| corrupt("result value", value))?;
    Ok(match kind {
        "actual" => Entry::Actual(number),
        "points" => Entry::Points(number),
        "event" => Entry::Event(number == Decimal::ONE),
        other => return Err(corrupt("result kind", other)),
    })
}

impl Tx<'_> {
    /// The term's packed row, if it has one; on PostgreSQL locked until the transaction ends
    /// when `for_update`, so two writers of one term cannot both merge into the same row.
    fn packed_latest(
        &mut self,
        term: &TermName,
        for_update: bool,
    ) -> Result<Option<Vec<u8>>, Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        let q = latest_results::table
            .filter(latest_results::cluster_id.eq(cluster_id))
            .filter(latest_results::year.eq(year))
            .select(latest_results::packed);
        match self.conn {
            AnyConnection::Postgresql(c) if for_update => q.for_update().get_result(c).optional(),
            AnyConnection::Postgresql(c) => q.get_result(c).optional(),
            AnyConnection::Sqlite(c) => q.get_result(c).optional(),
        }
        .map_err(db)
    }

    /// Each (member, criterion)'s latest result from `results`: one scan in key order keeping
    /// the last revision of each. (Ordering revisions descending would make SQLite sort the
    /// whole term in a temporary B-tree, because the key is ascending.)
    fn scan_latest(&mut self, term: &TermName) -> Result<Latest, Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        let rows = results::table
            .filter(results::cluster_id.eq(cluster_id))
            .filter(results::year.eq(year))
            .order((results::unit_id, results::criterion_code, results::revision))
            .select((
                results::unit_id,
                results::criterion_code,
                results::revision,
                results::value,
                results::kind,
            ))
            .load_iter::<(String, String, i32, String, String), diesel::connection::DefaultLoadingMode>(
                self.conn,
            )
            .map_err(db)?;
        let mut out = Latest::new();
        for row in rows {
            let (unit, code, revision, value, kind) = row.map_err(db)?;
            out.insert((unit, code), (revision, parse_entry(&kind, &value)?));
        }
        Ok(out)
    }

    /// The term's latest results for a writer to merge into, locked against other writers on
    /// PostgreSQL (SQLite has one writer at a time), and whether the packed row exists.
    pub(crate) fn latest_for_update(&mut self, term: &TermName) -> Result<(Latest, bool), Error> {
        match self.packed_latest(term, true)? {
            Some(bytes) => Ok((unpack(&bytes)?, true)),
            None => Ok((self.scan_latest(term)?, false)),
        }
    }

    /// Writes the term's packed row; `exists` as [`Tx::latest_for_update`] reported it.
    pub(crate) fn store_latest(
        &mut self,
        term: &TermName,
        latest: &Latest,
        exists: bool,
    ) -> Result<(), Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        let packed = pack(latest);
        if exists {
            diesel::update(
                latest_results::table
                    .filter(latest_results::cluster_id.eq(cluster_id))
                    .filter(latest_results::year.eq(year)),
            )
            .set(latest_results::packed.eq(packed))
            .execute(self.conn)
        } else {
            diesel::insert_into(latest_results::table)
                .values((
                    latest_results::cluster_id.eq(cluster_id),
                    latest_results::year.eq(year),
                    latest_results::packed.eq(packed),
                ))
                .execute(self.conn)
        }
        .map_err(db)?;
        Ok(())
    }

    /// Each member's latest result of each criterion of a term, for scoring: one row read,
    /// however many revisions the term has.
    pub fn latest_entries(&mut self, term: &TermName) -> Result<LatestEntries, Error> {
        match self.packed_latest(term, false)? {
            Some(bytes) => unpack_entries(&bytes),
            None => entries_of(self.scan_latest(term)?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Result<Decimal, Box<dyn std::error::Error>> {
        Ok(thidua_domain::decimal::parse("v", s).map_err(|e| format!("{e:?}"))?)
    }

    fn sample() -> Result<Latest, Box<dyn std::error::Error>> {
        let mut latest = Latest::new();
        let key = |code: &str| {
            UnitRef::new(thidua_domain::unit::Scheme::Qd124_2004, code.to_owned()).key()
        };
        for (unit, code, revision, entry) in [
            (key("01834"), "I.1", 3, Entry::Actual(d("12500.75")?)),
            (key("01834"), "II.2", 1, Entry::Event(true)),
            (key("01837"), "I.1", 1, Entry::Points(d("-2.5")?)),
            (key("01837"), "Thi đua.1", 2, Entry::Event(false)),
            (key("01840"), "I.1", 7, Entry::Actual(d("0.000001")?)),
        ] {
            latest.insert((unit, code.to_owned()), (revision, entry));
        }
        Ok(latest)
    }

    #[test]
    fn a_packed_term_reads_back_exactly() -> Result<(), Box<dyn std::error::Error>> {
        let latest = sample()?;
        let bytes = pack(&latest);
        assert_eq!(unpack(&bytes)?, latest);
        let grouped = unpack_entries(&bytes)?;
        assert_eq!(grouped, entries_of(latest.clone())?);
        assert_eq!(grouped.len(), 3);
        assert_eq!(grouped[0].0.code, "01834");
        assert_eq!(&*grouped[1].1[1].0, "Thi đua.1");
        assert_eq!(unpack(&pack(&Latest::new()))?, Latest::new());
        Ok(())
    }

    /// Thành phố Bắc Kạn's 2022 term, with three wards reporting, in a fresh SQLite file.
    fn bac_kan(
        dir: &std::path::Path,
    ) -> Result<(crate::Store, Vec<UnitRef>), Box<dyn std::error::Error>> {
        use thidua_domain::{
            cluster::{Cluster, ClusterKind},
            term::Period,
            time::{Timestamp, Validity},
            unit::{Scheme, UnitDraft, UnitKind},
        };
        let store = crate::Store::open(&dir.join("bắc-kạn.db").display().to_string())?;
        let wards: Vec<UnitRef> = ["01834", "01837", "01840"]
            .iter()
            .map(|c| UnitRef::new(Scheme::Qd124_2004, (*c).to_owned()))
            .collect();
        let now = Timestamp(1_669_852_800_000);
        store.write(|tx| {
            for (id, name) in wards
                .iter()
                .zip(["Nguyễn Thị Minh Khai", "Sông Cầu", "Đức Xuân"])
            {
                let draft = UnitDraft {
                    id: id.clone(),
                    name: format!("Phường {name}"),
                    kind: UnitKind::Ward,
                    parent: None,
                    validity: Validity::default(),
                };
                tx.insert_unit(&draft, now)?;
            }
            let cluster = Cluster {
                id: "bac-kan-phuong".into(),
                name: "Cụm thi đua các phường thành phố Bắc Kạn".into(),
                kind: ClusterKind::Territorial,
                organiser: wards[0].clone(),
                description: String::new(),
                created_at: now,
                updated_at: now,
                version: 1,
            };
            tx.insert_cluster(&cluster)?;
            let period = Period {
                start: "2022-01-01"
                    .parse()
                    .map_err(|_| Error::Internal("date".into()))?,
                end: "2022-12-31"
                    .parse()
                    .map_err(|_| Error::Internal("date".into()))?,
            };
            tx.insert_term(&cluster, &cluster.organiser, 2022, period, &wards, now)
        })?;
        Ok((store, wards))
    }

    fn result(unit: &UnitRef, code: &str, value: i64) -> thidua_domain::results::ReportedResult {
        thidua_domain::results::ReportedResult {
            unit: unit.clone(),
            code: code.to_owned(),
            revision: 0,
            entry: Entry::Actual(Decimal::new(value, 0)),
            evidence_ref: "Báo cáo số 45/BC-UBND".into(),
            evidence_note: String::new(),
            explanation: String::new(),
            submitted_at: thidua_domain::time::Timestamp(1_669_852_800_000),
            late: false,
        }
    }

    /// What the packed row must always equal: the last revision of each pair in `results`.
    #[test]
    fn the_packed_row_follows_every_result_and_a_term_without_one_is_read_from_results()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let (store, wards) = bac_kan(dir.path())?;
        let term = TermName::new("bac-kan-phuong", 2022);
        let agree = |store: &crate::Store| -> Result<Latest, Error> {
            store.read(|tx| {
                let scanned = tx.scan_latest(&term)?;
                let packed = tx.packed_latest(&term, false)?;
                let packed = packed.ok_or_else(|| Error::Internal("no packed row".into()))?;
                if unpack(&packed)? != scanned {
                    return Err(Error::Internal(
                        "the packed row differs from results".into(),
                    ));
                }
                if tx.latest_entries(&term)? != entries_of(scanned.clone())? {
                    return Err(Error::Internal("latest_entries differs".into()));
                }
                Ok(scanned)
            })
        };
        store.write(|tx| {
            let mut rows = [result(&wards[0], "I.1", 700), result(&wards[1], "I.1", 650)];
            tx.insert_results(&term, &mut rows)?;
            assert_eq!([rows[0].revision, rows[1].revision], [1, 1]);
            tx.insert_result(&term, &result(&wards[0], "I.1", 720))
                .map(|_| ())
        })?;
        let latest = agree(&store)?;
        assert_eq!(latest.len(), 2);
        assert_eq!(
            latest[&(wards[0].key(), "I.1".to_owned())],
            (2, Entry::Actual(Decimal::new(720, 0)))
        );
        // A database whose results were stored before the packed rows existed.
        store.write(|tx| {
            diesel::delete(latest_results::table)
                .execute(tx.conn)
                .map_err(db)?;
            Ok(())
        })?;
        let read = store.read(|tx| tx.latest_entries(&term))?;
        assert_eq!(read, entries_of(latest.clone())?);
        let numbered = store.write(|tx| {
            tx.insert_result(&term, &result(&wards[2], "II.1", 90))?;
            // One pair twice in a batch: two revisions, the later one counts.
            let mut rows = [result(&wards[1], "I.1", 660), result(&wards[1], "I.1", 670)];
            tx.insert_results(&term, &mut rows)?;
            Ok([rows[0].revision, rows[1].revision])
        })?;
        assert_eq!(numbered, [2, 3], "numbered on from what results held");
        let latest = agree(&store)?;
        assert_eq!(
            latest.len(),
            3,
            "the rebuilt row keeps what was stored before it"
        );
        assert_eq!(
            latest[&(wards[1].key(), "I.1".to_owned())],
            (3, Entry::Actual(Decimal::new(670, 0)))
        );
        Ok(())
    }

    #[test]
    fn a_damaged_row_is_refused_not_misread() -> Result<(), Box<dyn std::error::Error>> {
        let bytes = pack(&sample()?);
        for cut in [0, 1, 5, bytes.len() / 2, bytes.len() - 1] {
            assert!(unpack(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(unpack(&longer).is_err());
        let mut other_format = bytes.clone();
        other_format[0] = FORMAT + 1;
        assert!(unpack(&other_format).is_err());
        // The last cell's code index, pointed past the table of codes.
        let mut bad_index = bytes;
        let at = bad_index.len() - 26;
        bad_index[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(unpack_entries(&bad_index).is_err());
        Ok(())
    }
}
