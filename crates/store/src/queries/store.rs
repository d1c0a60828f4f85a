//! The whole-store operations both backends share (`Store`'s own methods): each backend names its SQL in
//! a [`StoreSql`] and prepares and writes a batch with its own `write_batch`.

/// The statements of the whole-store operations.
pub(crate) struct StoreSql {
    /// Run on the writer at the end of an ingest run (no result).
    pub checkpoint: &'static str,
    /// A `CountsRow`.
    pub counts: &'static str,
    /// The bytes the store occupies, one integer.
    pub size_bytes: &'static str,
}

/// `impl Store for $store`: `write_file` calls the store's own `write_batch`; the others run `$sql` (a
/// [`StoreSql`]) on `reads` (the checkpoint on `writes`) and the invoking folder's `schema::ready` and
/// `transfer::checksums`.
macro_rules! store_impl {
    ($store:ty, reads: $reads:ident, writes: $writes:ident, sql: $sql:expr) => {
        #[async_trait::async_trait]
        impl $crate::interface::Store for $store {
            async fn write_file(
                &self,
                batch: &$crate::batch::FileBatch,
            ) -> Result<$crate::batch::WriteCounts, $crate::error::StoreError> {
                self.write_batch(batch).await
            }

            async fn checkpoint(&self) -> Result<(), $crate::error::StoreError> {
                sqlx::raw_sql($sql.checkpoint).execute(&self.$writes).await?;
                Ok(())
            }

            async fn counts(&self) -> Result<$crate::batch::TableCounts, $crate::error::StoreError> {
                let row: $crate::batch::CountsRow = sqlx::query_as($sql.counts).fetch_one(&self.$reads).await?;
                Ok(row.into())
            }

            async fn ready(&self) -> Result<bool, $crate::error::StoreError> {
                schema::ready(&self.$reads).await
            }

            async fn size_bytes(&self) -> Result<u64, $crate::error::StoreError> {
                let n: i64 = sqlx::query_scalar($sql.size_bytes).fetch_one(&self.$reads).await?;
                Ok(n.max(0) as u64)
            }

            async fn checksums(&self) -> Result<Vec<$crate::canonical::TableSum>, $crate::error::StoreError> {
                transfer::checksums(&self.$reads).await
            }
        }
    };
}
pub(crate) use store_impl;
