//! Built-in alerting's tables (`alert_rules`, `alert_subscriptions`, `alert_events`; SQLite migration 7,
//! PostgreSQL migration 6): operational state, not copied by `transfer`. The SQL and the row mappings,
//! the same for both backends, are `queries/alerts.rs`.

use async_trait::async_trait;

use crate::error::StoreError;

/// Alert rules, who is told, and every firing.
#[async_trait]
pub trait AlertStore: Send + Sync {
    /// Inserts or replaces a rule (natural key `id`); true when it was new.
    async fn put_alert_rule(&self, rule: &model::AlertRule) -> Result<bool, StoreError>;
    /// Every rule, ordered by id.
    async fn alert_rules(&self) -> Result<Vec<model::AlertRule>, StoreError>;
    /// Deletes a rule and the subscriptions to it (its fired alerts stay in the history); true when it existed.
    async fn delete_alert_rule(&self, id: &str) -> Result<bool, StoreError>;
    /// Inserts or replaces a subscription (natural key `id`); true when it was new.
    async fn put_alert_subscription(&self, sub: &model::Subscription) -> Result<bool, StoreError>;
    /// Every subscription, ordered by id.
    async fn alert_subscriptions(&self) -> Result<Vec<model::Subscription>, StoreError>;
    /// True when it existed.
    async fn delete_alert_subscription(&self, id: &str) -> Result<bool, StoreError>;
    /// Inserts or updates a fired alert (natural key `(rule, subject, started_at)`).
    async fn put_alert_event(&self, event: &model::FiredAlert) -> Result<(), StoreError>;
    /// Fired alerts, newest first: only open ones when `open_only`, at most `limit`.
    async fn alert_events(&self, open_only: bool, limit: usize) -> Result<Vec<model::FiredAlert>, StoreError>;
}
