//! `ArchiveStore` on SQLite: retention's rows by calendar month, read and deleted by time range (a
//! profile with its levels, R*Tree entry and `profile_space` row).

use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;

use super::SqliteStore;
use crate::archive::ArchiveTable;
use crate::error::StoreError;
use crate::rows::date_of;

/// `SELECT` of a table's archive columns over a half-open time (or date) range, in key order.
fn select(t: ArchiveTable) -> &'static str {
    match t {
        ArchiveTable::Profiles => {
            "SELECT p.platform, p.cycle, p.direction, p.time, p.time_qc, p.lon, p.lat, p.position_qc,
              p.data_mode, p.data_centre, p.project_name, p.pi_name, p.platform_type, p.wmo_inst_type,
              p.positioning_system, p.vertical_sampling_scheme, p.config_mission_number, p.source_format,
              p.source_file, p.n_levels, p.params, p.source_rank, p.digest, l.levels
            FROM profiles p JOIN profile_levels l ON l.id = p.id WHERE p.time >= ? AND p.time < ?
            ORDER BY p.platform, p.cycle, p.direction"
        }
        ArchiveTable::Series => {
            "SELECT platform, variable, time, depth, value, qc FROM series WHERE time >= ? AND time < ?
             ORDER BY platform, variable, time, depth"
        }
        ArchiveTable::HeatStress => {
            "SELECT site, date, sst_min, sst_max, sst_90th_hs, ssta_90th_hs, hotspot, dhw, baa_7day_max
             FROM heat_stress WHERE date >= ? AND date < ? ORDER BY site, date"
        }
    }
}

crate::queries::archive::archive_store!(SqliteStore, reads: pool);

/// `SELECT` of the rows per calendar month, `(month, rows)`.
fn months(t: ArchiveTable) -> &'static str {
    match t {
        ArchiveTable::Profiles => {
            "SELECT strftime('%Y-%m', time, 'unixepoch') m, count(*) FROM profiles WHERE time IS NOT NULL
             GROUP BY m ORDER BY m"
        }
        ArchiveTable::Series => {
            "SELECT strftime('%Y-%m', time, 'unixepoch') m, count(*) FROM series GROUP BY m ORDER BY m"
        }
        ArchiveTable::HeatStress => "SELECT substr(date, 1, 7) m, count(*) FROM heat_stress GROUP BY m ORDER BY m",
    }
}

/// Deletes the rows of `[from, to)` in one transaction; returns how many.
async fn delete_rows(
    s: &SqliteStore,
    t: ArchiveTable,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let mut tx = s.writer.begin().await?;
    let n = match t {
        ArchiveTable::Profiles => {
            let (a, b) = (from.timestamp(), to.timestamp());
            for table in ["profile_levels", "profiles_rtree", "profile_space"] {
                let sql =
                    format!("DELETE FROM {table} WHERE id IN (SELECT id FROM profiles WHERE time >= ? AND time < ?)");
                sqlx::query(AssertSqlSafe(sql)).bind(a).bind(b).execute(&mut *tx).await?;
            }
            sqlx::query("DELETE FROM profiles WHERE time >= ? AND time < ?").bind(a).bind(b).execute(&mut *tx).await?
        }
        ArchiveTable::Series => {
            sqlx::query("DELETE FROM series WHERE time >= ? AND time < ?")
                .bind(from.timestamp())
                .bind(to.timestamp())
                .execute(&mut *tx)
                .await?
        }
        ArchiveTable::HeatStress => {
            sqlx::query("DELETE FROM heat_stress WHERE date >= ? AND date < ?")
                .bind(date_of(from))
                .bind(date_of(to))
                .execute(&mut *tx)
                .await?
        }
    }
    .rows_affected();
    tx.commit().await?;
    Ok(n)
}
