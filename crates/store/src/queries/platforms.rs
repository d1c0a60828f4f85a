//! The platform stubs of `write_file` (stations a data file only names), the same SQL for both backends.

/// `async fn write_platform_stubs(tx, stubs) -> rows written` for a transaction of database `$db`: a
/// platform is inserted when unknown and otherwise left as it is.
macro_rules! write_platform_stubs {
    ($db:ty) => {
        async fn write_platform_stubs(
            tx: &mut sqlx::Transaction<'_, $db>,
            stubs: &[model::Platform],
        ) -> Result<u64, $crate::error::StoreError> {
            let mut n = 0;
            for p in stubs {
                n += sqlx::query(
                    "INSERT INTO platforms (id, kind, name, lon, lat) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (id) DO NOTHING",
                )
                .bind(&p.id)
                .bind(p.kind.as_str())
                .bind(&p.name)
                .bind(p.position.map(|pt| pt.lon))
                .bind(p.position.map(|pt| pt.lat))
                .execute(&mut **tx)
                .await?
                .rows_affected();
            }
            Ok(n)
        }
    };
}
pub(crate) use write_platform_stubs;
