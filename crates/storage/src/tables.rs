//! Criteria tables and their versions. A version's tree is stored one row per node in the
//! spreadsheet layout (`criteria::tree_to_rows`), so storage and files share one codec.

use std::sync::Arc;

use diesel::prelude::*;
use thidua_domain::{
    Error, Reason,
    criteria::{
        Table, TableRow, TableVersion, VersionState, rows_to_tree, tree_to_rows, version_resource,
    },
    decimal,
    text::search_key,
    time::Timestamp,
};

use crate::{
    Page, PageRequest, Tx,
    connection::{MAX_TREES, per_backend},
    errors::{corrupt, db, is_unique_violation},
    schema::{criteria, criteria_tables, table_versions},
    units::{page_of, parse_date},
};

const KEY_SEPARATOR: char = '\u{1f}';

/// The nine text cells of a stored node, in the spreadsheet column order.
type NodeCells = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

#[derive(Queryable)]
struct TableRowDb {
    id: String,
    title: String,
    _title_key: String,
    legal_act: String,
    legal_date: Option<String>,
    scale: String,
    rounding_step: String,
    created_at: i64,
    // Read by authorization (`Tx::table_owner`), not part of the domain's table.
    _owner_id: Option<String>,
}

impl TableRowDb {
    fn into_domain(self) -> Result<Table, Error> {
        Ok(Table {
            scale: decimal::parse("scale", &self.scale)
                .map_err(|_| corrupt("scale", &self.scale))?,
            rounding_step: decimal::parse("rounding_step", &self.rounding_step)
                .map_err(|_| corrupt("rounding step", &self.rounding_step))?,
            legal_date: parse_date(self.legal_date.as_deref())?,
            id: self.id,
            title: self.title,
            legal_act: self.legal_act,
            created_at: Timestamp(self.created_at),
        })
    }
}

#[derive(Queryable)]
struct VersionRowDb {
    table_id: String,
    number: i32,
    state: String,
    published_at: Option<i64>,
    updated_at: i64,
    etag: i64,
}

#[derive(Insertable)]
#[diesel(table_name = criteria)]
struct NodeRow {
    table_id: String,
    number: i32,
    position: i32,
    code: String,
    title: String,
    max_points: String,
    bonus_cap: String,
    rule_kind: String,
    rule_params: String,
    metric: String,
    mandatory: String,
    evidence_required: String,
}

impl Tx<'_> {
    /// Creates a table and its empty draft version 1.
    pub fn insert_table(&mut self, t: &Table) -> Result<(), Error> {
        diesel::insert_into(criteria_tables::table)
            .values((
                criteria_tables::id.eq(&t.id),
                criteria_tables::title.eq(&t.title),
                criteria_tables::title_key.eq(search_key(&t.title)),
                criteria_tables::legal_act.eq(&t.legal_act),
                criteria_tables::legal_date.eq(t.legal_date.map(|d| d.to_string())),
                criteria_tables::scale.eq(decimal::format(t.scale)),
                criteria_tables::rounding_step.eq(decimal::format(t.rounding_step)),
                criteria_tables::created_at.eq(t.created_at.0),
            ))
            .execute(self.conn)
            .map_err(|e| {
                if is_unique_violation(&e) {
                    let resource = format!("criteriaTables/{}", t.id);
                    Error::AlreadyExists {
                        description: thidua_domain::words!("already-exists", resource = resource),
                        resource,
                        reason: Reason::AlreadyExists,
                    }
                } else {
                    db(e)
                }
            })?;
        self.insert_version(&t.id, 1, &[], t.created_at)
    }

    /// One table.
    pub fn criteria_table(&mut self, id: &str) -> Result<Option<Table>, Error> {
        let row: Option<TableRowDb> = per_backend!(&mut *self.conn, |c| criteria_tables::table
            .find(id)
            .get_result(c)
            .optional())
        .map_err(db)?;
        row.map(TableRowDb::into_domain).transpose()
    }

    /// One table, or `NotFound`.
    pub fn existing_criteria_table(&mut self, id: &str) -> Result<Table, Error> {
        self.criteria_table(id)?.ok_or_else(|| Error::NotFound {
            resource: format!("criteriaTables/{id}"),
        })
    }

    /// A page of tables by title.
    pub fn list_criteria_tables(&mut self, page: &PageRequest) -> Result<Page<Table>, Error> {
        let mut query = criteria_tables::table.into_boxed();
        if let Some(after) = &page.after {
            let (key, id) = after
                .split_once(KEY_SEPARATOR)
                .unwrap_or((after.as_str(), ""));
            query = query.filter(
                criteria_tables::title_key
                    .gt(key.to_owned())
                    .or(criteria_tables::title_key
                        .eq(key.to_owned())
                        .and(criteria_tables::id.gt(id.to_owned()))),
            );
        }
        let rows: Vec<TableRowDb> = query
            .order((criteria_tables::title_key, criteria_tables::id))
            .limit(page.limit + 1)
            .load(self.conn)
            .map_err(db)?;
        page_of(
            rows,
            page.limit,
            |r| format!("{}{KEY_SEPARATOR}{}", r._title_key, r.id),
            TableRowDb::into_domain,
        )
    }

    /// The latest version number of a table.
    pub fn latest_version_number(&mut self, table_id: &str) -> Result<i32, Error> {
        let n: Option<i32> = table_versions::table
            .filter(table_versions::table_id.eq(table_id))
            .select(diesel::dsl::max(table_versions::number))
            .get_result(self.conn)
            .map_err(db)?;
        n.ok_or_else(|| Error::NotFound {
            resource: format!("criteriaTables/{table_id}"),
        })
    }

    /// Creates a version with a tree.
    pub fn insert_version(
        &mut self,
        table_id: &str,
        number: i32,
        groups: &[thidua_domain::criteria::Criterion],
        now: Timestamp,
    ) -> Result<(), Error> {
        diesel::insert_into(table_versions::table)
            .values((
                table_versions::table_id.eq(table_id),
                table_versions::number.eq(number),
                table_versions::state.eq(VersionState::Draft.as_str()),
                table_versions::updated_at.eq(now.0),
                table_versions::etag.eq(1_i64),
            ))
            .execute(self.conn)
            .map_err(db)?;
        self.insert_nodes(table_id, number, groups)
    }

    fn insert_nodes(
        &mut self,
        table_id: &str,
        number: i32,
        groups: &[thidua_domain::criteria::Criterion],
    ) -> Result<(), Error> {
        let rows: Vec<NodeRow> = tree_to_rows(groups)
            .into_iter()
            .zip(0..)
            .map(|(r, position)| {
                let [
                    code,
                    title,
                    max_points,
                    bonus_cap,
                    rule_kind,
                    rule_params,
                    metric,
                    mandatory,
                    evidence_required,
                ] = r.cells;
                NodeRow {
                    table_id: table_id.to_owned(),
                    number,
                    position,
                    code,
                    title,
                    max_points,
                    bonus_cap,
                    rule_kind,
                    rule_params,
                    metric,
                    mandatory,
                    evidence_required,
                }
            })
            .collect();
        for chunk in rows.chunks(200) {
            per_backend!(self.conn, |c| diesel::insert_into(criteria::table)
                .values(chunk)
                .execute(c))
            .map_err(db)?;
        }
        Ok(())
    }

    /// Replaces a draft's tree if its etag is still `expected`.
    pub fn replace_version_tree(
        &mut self,
        table_id: &str,
        number: i32,
        groups: &[thidua_domain::criteria::Criterion],
        expected: i64,
        now: Timestamp,
    ) -> Result<(), Error> {
        let updated = diesel::update(
            table_versions::table
                .filter(table_versions::table_id.eq(table_id))
                .filter(table_versions::number.eq(number))
                .filter(table_versions::state.eq(VersionState::Draft.as_str()))
                .filter(table_versions::etag.eq(expected)),
        )
        .set((
            table_versions::etag.eq(expected + 1),
            table_versions::updated_at.eq(now.0),
        ))
        .execute(self.conn)
        .map_err(db)?;
        if updated == 0 {
            return Err(Error::Aborted {
                resource: version_resource(table_id, number),
            });
        }
        diesel::delete(
            criteria::table
                .filter(criteria::table_id.eq(table_id))
                .filter(criteria::number.eq(number)),
        )
        .execute(self.conn)
        .map_err(db)?;
        self.insert_nodes(table_id, number, groups)
    }

    /// Marks a draft published if its etag is still `expected`.
    pub fn publish_version(
        &mut self,
        table_id: &str,
        number: i32,
        expected: i64,
        now: Timestamp,
    ) -> Result<(), Error> {
        let updated = diesel::update(
            table_versions::table
                .filter(table_versions::table_id.eq(table_id))
                .filter(table_versions::number.eq(number))
                .filter(table_versions::state.eq(VersionState::Draft.as_str()))
                .filter(table_versions::etag.eq(expected)),
        )
        .set((
            table_versions::state.eq(VersionState::Published.as_str()),
            table_versions::published_at.eq(Some(now.0)),
            table_versions::etag.eq(expected + 1),
            table_versions::updated_at.eq(now.0),
        ))
        .execute(self.conn)
        .map_err(db)?;
        if updated == 0 {
            return Err(Error::Aborted {
                resource: version_resource(table_id, number),
            });
        }
        Ok(())
    }

    /// One version with its tree.
    pub fn table_version(
        &mut self,
        table_id: &str,
        number: i32,
    ) -> Result<Option<TableVersion>, Error> {
        let row: Option<VersionRowDb> = per_backend!(&mut *self.conn, |c| table_versions::table
            .find((table_id, number))
            .get_result(c)
            .optional())
        .map_err(db)?;
        let Some(row) = row else { return Ok(None) };
        let key = (table_id.to_owned(), number, row.etag);
        let published = row.state == VersionState::Published.as_str();
        if published && let Some(groups) = self.trees.lock().ok().and_then(|t| t.get(&key).cloned())
        {
            return Ok(Some(version_of(row, groups)?));
        }
        let cells: Vec<NodeCells> = criteria::table
            .filter(criteria::table_id.eq(table_id))
            .filter(criteria::number.eq(number))
            .order(criteria::position)
            .select((
                criteria::code,
                criteria::title,
                criteria::max_points,
                criteria::bonus_cap,
                criteria::rule_kind,
                criteria::rule_params,
                criteria::metric,
                criteria::mandatory,
                criteria::evidence_required,
            ))
            .load(self.conn)
            .map_err(db)?;
        let rows: Vec<TableRow> = cells
            .into_iter()
            .map(|(a, b, c, d, e, f, g, h, i)| TableRow {
                line: 0,
                cells: [a, b, c, d, e, f, g, h, i],
            })
            .collect();
        let groups: Arc<[thidua_domain::criteria::Criterion]> = if rows.is_empty() {
            Arc::default()
        } else {
            rows_to_tree(&rows)
                .map_err(|e| {
                    Error::Internal(format!(
                        "stored tree of {}: {e}",
                        version_resource(table_id, number)
                    ))
                })?
                .0
                .into()
        };
        if published
            && self.read_only
            && let Ok(mut trees) = self.trees.lock()
        {
            if trees.len() >= MAX_TREES {
                trees.clear();
            }
            trees.insert(key, groups.clone());
        }
        Ok(Some(version_of(row, groups)?))
    }

    /// One version, or `NotFound`.
    pub fn existing_table_version(
        &mut self,
        table_id: &str,
        number: i32,
    ) -> Result<TableVersion, Error> {
        self.table_version(table_id, number)?
            .ok_or_else(|| Error::NotFound {
                resource: version_resource(table_id, number),
            })
    }

    /// A table's versions, oldest first, without trees.
    pub fn table_versions(&mut self, table_id: &str) -> Result<Vec<TableVersion>, Error> {
        let rows: Vec<VersionRowDb> = table_versions::table
            .filter(table_versions::table_id.eq(table_id))
            .order(table_versions::number)
            .load(self.conn)
            .map_err(db)?;
        rows.into_iter()
            .map(|r| version_of(r, Arc::default()))
            .collect()
    }
}

fn version_of(
    row: VersionRowDb,
    groups: Arc<[thidua_domain::criteria::Criterion]>,
) -> Result<TableVersion, Error> {
    Ok(TableVersion {
        state: VersionState::parse(&row.state)
            .ok_or_else(|| corrupt("version state", &row.state))?,
        table_id: row.table_id,
        number: row.number,
        groups,
        published_at: row.published_at.map(Timestamp),
        updated_at: Timestamp(row.updated_at),
        etag: row.etag,
    })
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use thidua_domain::criteria::{Criterion, Rule};

    use super::*;
    use crate::Store;

    fn group(code: &str, title: &str, max: i64) -> Criterion {
        Criterion {
            code: code.into(),
            title: title.into(),
            max_points: Decimal::new(max, 0),
            bonus_cap: None,
            rule: None,
            metric: String::new(),
            mandatory: false,
            evidence_required: false,
            children: vec![Criterion {
                code: format!("{code}.1"),
                title: format!("{title}: kết quả"),
                max_points: Decimal::new(max, 0),
                bonus_cap: None,
                rule: Some(Rule::Proportional),
                metric: "%".into(),
                mandatory: false,
                evidence_required: false,
                children: Vec::new(),
            }],
        }
    }

    /// A draft's tree is read from the database every time, so its edits are seen; once
    /// published (immutable), the tree read by a read transaction is kept and served again.
    #[test]
    fn only_published_trees_are_kept() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let store = Store::open(&dir.path().join("bảng.db").display().to_string())?;
        let now = Timestamp(1_700_000_000_000_000);
        store.write(|tx| {
            tx.insert_table(&Table {
                id: "bang-2022".into(),
                title: "Bảng tiêu chí thi đua cụm xã, phường năm 2022".into(),
                legal_act: "Quyết định 01/QĐ-HĐTĐKT".into(),
                legal_date: None,
                scale: Decimal::new(100, 0),
                rounding_step: Decimal::new(5, 1),
                created_at: now,
            })?;
            tx.replace_version_tree("bang-2022", 1, &[group("I", "Kinh tế", 30)], 1, now)
        })?;
        let read = || store.read(|tx| tx.existing_table_version("bang-2022", 1));
        let kept = || store.trees.lock().map(|t| t.len()).unwrap_or(usize::MAX);
        assert_eq!(read()?.groups[0].title, "Kinh tế");
        assert_eq!(kept(), 0, "a draft is not kept");
        store.write(|tx| {
            tx.replace_version_tree("bang-2022", 1, &[group("I", "Xây dựng Đảng", 40)], 2, now)
        })?;
        assert_eq!(read()?.groups[0].title, "Xây dựng Đảng", "the edit is seen");
        store.write(|tx| tx.publish_version("bang-2022", 1, 3, now))?;
        let published = read()?;
        assert_eq!(kept(), 1, "a published tree is kept");
        assert_eq!(read()?, published, "and served the same");
        assert_eq!(*published.groups, [group("I", "Xây dựng Đảng", 40)]);
        Ok(())
    }
}
