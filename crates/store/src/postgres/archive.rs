//! `ArchiveStore` on PostgreSQL: retention's rows by calendar month, read and deleted by time range (a
//! profile from `profile_keys`, `profiles` and `profile_docs` together).

use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;

use super::PgStore;
use crate::archive::ArchiveTable;
use crate::error::StoreError;
use crate::rows::date_of;

/// `SELECT` of a table's archive columns over `[$1, $2)`, in key order.
fn select(t: ArchiveTable) -> &'static str {
    match t {
        ArchiveTable::Profiles => {
            "SELECT k.platform, k.cycle::int8, k.direction, extract(epoch FROM p.time)::int8,
              p.time_qc::int8, p.lon, p.lat, p.position_qc::int8, p.data_mode, p.data_centre, p.project_name,
              p.pi_name, p.platform_type, p.wmo_inst_type, p.positioning_system, p.vertical_sampling_scheme,
              p.config_mission_number::int8, p.source_format, p.source_file, p.n_levels::int8, p.params,
              k.source_rank::int8, k.digest, l.levels
            FROM profile_keys k JOIN profiles p ON p.id = k.id JOIN profile_docs l ON l.id = k.id
            WHERE p.time >= to_timestamp($1) AND p.time < to_timestamp($2)
            ORDER BY k.platform, k.cycle, k.direction"
        }
        ArchiveTable::Series => {
            "SELECT platform, variable, extract(epoch FROM time)::int8, depth, value, qc::int8 FROM series
             WHERE time >= to_timestamp($1) AND time < to_timestamp($2) ORDER BY platform, variable, time, depth"
        }
        ArchiveTable::HeatStress => {
            "SELECT site, to_char(date, 'YYYY-MM-DD'), sst_min, sst_max, sst_90th_hs, ssta_90th_hs, hotspot, dhw,
              baa_7day_max::int8 FROM heat_stress WHERE date >= $1::date AND date < $2::date ORDER BY site, date"
        }
    }
}

crate::queries::archive::archive_store!(PgStore, reads: pool);

/// `SELECT` of the rows per calendar month, `(month, rows)`.
fn months(t: ArchiveTable) -> &'static str {
    match t {
        ArchiveTable::Profiles => {
            "SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM') m, count(*) FROM profiles WHERE time IS NOT NULL
             GROUP BY m ORDER BY m"
        }
        ArchiveTable::Series => {
            "SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM') m, count(*) FROM series GROUP BY m ORDER BY m"
        }
        ArchiveTable::HeatStress => {
            "SELECT to_char(date, 'YYYY-MM') m, count(*) FROM heat_stress GROUP BY m ORDER BY m"
        }
    }
}

/// Deletes the rows of `[from, to)` in one transaction; returns how many.
async fn delete_rows(s: &PgStore, t: ArchiveTable, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<u64, StoreError> {
    let mut tx = s.pool.begin().await?;
    let n = match t {
        ArchiveTable::Profiles => {
            let ids: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM profiles WHERE time >= to_timestamp($1) AND time < to_timestamp($2)",
            )
            .bind(from.timestamp())
            .bind(to.timestamp())
            .fetch_all(&mut *tx)
            .await?;
            for table in ["profile_docs", "profiles", "profile_keys"] {
                let sql = format!("DELETE FROM {table} WHERE id = ANY($1::int8[])");
                sqlx::query(AssertSqlSafe(sql)).bind(&ids).execute(&mut *tx).await?;
            }
            ids.len() as u64
        }
        ArchiveTable::Series => {
            sqlx::query("DELETE FROM series WHERE time >= to_timestamp($1) AND time < to_timestamp($2)")
                .bind(from.timestamp())
                .bind(to.timestamp())
                .execute(&mut *tx)
                .await?
                .rows_affected()
        }
        ArchiveTable::HeatStress => sqlx::query("DELETE FROM heat_stress WHERE date >= $1::date AND date < $2::date")
            .bind(date_of(from))
            .bind(date_of(to))
            .execute(&mut *tx)
            .await?
            .rows_affected(),
    };
    tx.commit().await?;
    Ok(n)
}
