//! Binds for SQL built at run time, numbered `$1`, `$2`, … as both backends read them.

/// The values of a statement's placeholders, in order.
#[derive(Default)]
pub(crate) struct Args {
    vals: Vec<Arg>,
}

pub(crate) enum Arg {
    F(f64),
    I(i64),
    T(String),
}

impl Args {
    /// Adds a value; returns its placeholder (`$n`).
    pub(crate) fn push(&mut self, a: Arg) -> String {
        self.vals.push(a);
        format!("${}", self.vals.len())
    }

    pub(crate) fn bind<'q, DB, O>(
        self,
        mut q: sqlx::query::QueryAs<'q, DB, O, DB::Arguments>,
    ) -> sqlx::query::QueryAs<'q, DB, O, DB::Arguments>
    where
        DB: sqlx::Database,
        f64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        for v in self.vals {
            q = match v {
                Arg::F(x) => q.bind(x),
                Arg::I(x) => q.bind(x),
                Arg::T(x) => q.bind(x),
            };
        }
        q
    }
}
