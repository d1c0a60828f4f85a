//! The migration loop both backends run over their own `MIGRATIONS` (the SQL of each migration is the
//! backend's `schema.rs`).

/// Creates `schema_migrations` with `$table` when missing, then applies, in order, each migration of
/// `$migrations` (`&[(version, sql)]`) that it does not list, each in its own transaction on `$conn` (a
/// `&mut` connection), and records it with `$record` (bound the version and the Unix time).
/// `after(tx, version) { … }` runs inside a migration's transaction after its SQL. Expands to a block
/// that returns early with the first error.
macro_rules! apply_migrations {
    (
        $conn:expr,
        $migrations:expr,
        table: $table:literal,
        record: $record:literal,
        after($tx:ident, $version:ident) $after:block
    ) => {{
        let conn = $conn;
        sqlx::query($table).execute(&mut *conn).await?;
        for &(version, sql) in $migrations {
            let done: Option<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
                .bind(version)
                .fetch_optional(&mut *conn)
                .await?;
            if done.is_some() {
                continue;
            }
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut *tx)
                .await
                .map_err(|e| $crate::error::StoreError::Migration { version, message: e.to_string() })?;
            {
                let $tx = &mut tx;
                let $version = version;
                $after
            }
            sqlx::query($record).bind(version).bind(chrono::Utc::now().timestamp()).execute(&mut *tx).await?;
            tx.commit().await?;
        }
    }};
}
pub(crate) use apply_migrations;
