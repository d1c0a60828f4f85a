//! Retention's reads for both backends (`ArchiveStore`): the backend names the SQL, the Rust around it
//! is written once.

/// `impl ArchiveStore for $store`, reading on `reads` the statements of the invoking file's
/// `months(t)` (`(month, rows)` pairs) and `select(t)` (archive rows over `$1`, `$2`), and deleting with
/// its `async fn delete_rows(store, t, from, to)`.
macro_rules! archive_store {
    ($store:ty, reads: $reads:ident) => {
        #[async_trait::async_trait]
        impl $crate::archive::ArchiveStore for $store {
            async fn month_counts(
                &self,
                t: $crate::archive::ArchiveTable,
            ) -> Result<Vec<$crate::archive::MonthRows>, $crate::error::StoreError> {
                let rows = sqlx::query_as(months(t)).fetch_all(&self.$reads).await?;
                Ok($crate::archive::month_rows(t, rows))
            }

            async fn archive_rows(
                &self,
                t: $crate::archive::ArchiveTable,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<Vec<$crate::archive::Cell>>, $crate::error::StoreError> {
                let q = $crate::archive::bind_range(sqlx::query(select(t)), t, from, to);
                $crate::canonical::read_rows(&q.fetch_all(&self.$reads).await?, t.columns())
            }

            async fn delete_rows(
                &self,
                t: $crate::archive::ArchiveTable,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
            ) -> Result<u64, $crate::error::StoreError> {
                delete_rows(self, t, from, to).await
            }
        }
    };
}
pub(crate) use archive_store;
