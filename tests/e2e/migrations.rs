//! The SQLite and PostgreSQL migration sets agree: the same migration names, and after
//! `Store::open` has run them, the same tables with the same columns.

use std::collections::BTreeMap;

use anyhow::{Context, ensure};
use diesel::{Connection, QueryableByName, RunQueryDsl, sql_types::Text};
use thidua_storage::Store;

/// Tables and their column names, in name order.
type Shape = BTreeMap<String, Vec<String>>;

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

fn shape(columns: Vec<Column>) -> Shape {
    let mut shape = Shape::new();
    for c in columns {
        shape.entry(c.table_name).or_default().push(c.column_name);
    }
    for columns in shape.values_mut() {
        columns.sort();
    }
    shape
}

fn migration_names(backend: &str) -> anyhow::Result<Vec<String>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/storage/migrations")
        .join(backend);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .flatten()
        .filter(|e| e.path().join("up.sql").exists())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .collect();
    names.sort();
    Ok(names)
}

/// Both migration sets, run on a fresh database each, give the same tables and columns.
pub fn parity(postgres_url: &str) -> anyhow::Result<()> {
    let (sqlite, postgres) = (migration_names("sqlite")?, migration_names("postgres")?);
    ensure!(
        sqlite == postgres,
        "migration names differ:\nSQLite     {sqlite:?}\nPostgreSQL {postgres:?}"
    );
    let dir = thidua_testkit::Scratch::new("migrations")?;
    let file = dir.path().join("ngay-moi.db").display().to_string();
    Store::open(&file)?;
    Store::open(postgres_url)?;
    let mut lite = diesel::SqliteConnection::establish(&file)?;
    let lite = shape(
        diesel::sql_query(
            "SELECT m.name AS table_name, p.name AS column_name \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
        )
        .load(&mut lite)?,
    );
    let mut pg = diesel::PgConnection::establish(postgres_url)?;
    let pg = shape(
        diesel::sql_query(
            "SELECT table_name::text AS table_name, column_name::text AS column_name \
             FROM information_schema.columns WHERE table_schema = 'public'",
        )
        .load(&mut pg)?,
    );
    ensure!(lite.len() > 20, "only {} tables on SQLite", lite.len());
    for (table, columns) in &lite {
        ensure!(
            pg.get(table) == Some(columns),
            "table {table}: SQLite {columns:?}, PostgreSQL {:?}",
            pg.get(table)
        );
    }
    let only_pg: Vec<&String> = pg.keys().filter(|t| !lite.contains_key(*t)).collect();
    ensure!(only_pg.is_empty(), "tables only on PostgreSQL: {only_pg:?}");
    Ok(())
}
