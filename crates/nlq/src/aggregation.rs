//! What to compute: list (show / where), mean, median, min (lowest, coldest), max (highest, hottest),
//! count (how many), trend (how has it changed), anomaly (anomalies, heatwaves), compare, profile (vs
//! depth), latest (most recent, last reported). "Latest" words are claimed before time words so "last
//! reported" is never read as a time.

use crate::interpretation::Agg;
use crate::text::Text;

pub const WORDS: &[&str] =
    &["average avg mean median minimum min lowest coldest least maximum max highest hottest warmest peak how many \
     number count trend trends changed changing change evolution compare comparison versus vs difference anomalies \
     anomaly anomalous unusual abnormal heatwave heatwaves extreme profile profiles vertical latest newest recent \
     reported report promedio media moyenne mediana mediane minima minimo minimale maxima maximo maximale cuantos \
     cuantas combien quantos quantas tendencia tendance tendencia comparar comparer perfil perfiles profil profils \
     ultimo ultima dernier derniere"];

/// Claims "latest" phrases (before time words can take "last").
pub fn early(text: &mut Text) -> Option<Agg> {
    let latest = [
        "last reported",
        "last report",
        "last reports",
        "last reading",
        "last readings",
        "last recorded",
        "last observation",
        "last observed",
        "last measured",
        "last value",
        "last known",
        "most recent",
        "latest",
        "newest",
        "currently",
        "right now",
        "at the moment",
        "ultimo dato",
        "ultima medicion",
        "derniere mesure",
        "dernieres mesures",
        "ultima medicao",
        "mas reciente",
        "plus recent",
        "mais recente",
    ];
    if text.take_any(&latest).is_some() {
        return Some(Agg::Latest);
    }
    // "current" / "actual" unless it names a period ("current month") or a sea current
    for i in 0..text.len() {
        if matches!(text.free(i), Some("current" | "actual" | "actuelle" | "atual" | "now"))
            && !matches!(
                text.word(i + 1),
                Some("week" | "month" | "year" | "season" | "mes" | "mois" | "ano" | "annee" | "semana" | "semaine")
            )
        {
            text.claim(i, 1);
            return Some(Agg::Latest);
        }
    }
    None
}

pub(crate) const TABLE: &[(&[&str], Agg)] = &[
    (
        &[
            "compare",
            "comparison",
            "comparing",
            "compared",
            "versus",
            "vs",
            "difference between",
            "comparar",
            "comparer",
            "comparaison",
            "comparacion",
            "comparacao",
        ],
        Agg::Compare,
    ),
    (
        &[
            "how many",
            "number of",
            "count",
            "counts",
            "how much data",
            "cuantos",
            "wie viele",
            "quanti",
            "quante",
            "cuantas",
            "combien",
            "quantos",
            "quantas",
            "numero de",
            "nombre de",
        ],
        Agg::Count,
    ),
    (
        &[
            "trend",
            "trends",
            "how has",
            "how have",
            "changed",
            "changing",
            "change",
            "changes",
            "change over",
            "changes over",
            "over time",
            "long term",
            "long-term",
            "warming",
            "cooling",
            "freshening",
            "evolution",
            "tendencia",
            "tendance",
            "tendencias",
            "tendenza",
            "tendances",
            "evolucion",
        ],
        Agg::Trend,
    ),
    (
        &[
            "anomalies",
            "anomalous",
            "unusual",
            "abnormal",
            "heatwave",
            "heatwaves",
            "heat wave",
            "heat waves",
            "extremes",
            "anomalias",
            "anomalies",
            "anomalias",
        ],
        Agg::Anomaly,
    ),
    (&["median", "mediana", "mediane"], Agg::Median),
    (
        &[
            "average",
            "averaged",
            "avg",
            "mean",
            "typical",
            "promedio",
            "media",
            "moyenne",
            "moyen",
            "medio",
            "durchschnittliche",
            "durchschnittlichen",
            "durchschnitt",
            "mittlere",
            "mittelwert",
            "media di",
            "media de",
            "medie",
        ],
        Agg::Mean,
    ),
    (
        &[
            "minimum",
            "min",
            "lowest",
            "coldest",
            "least",
            "freshest",
            "minima",
            "record low",
            "record lows",
            "niedrigste",
            "minimale temperatur",
            "minimo di",
            "minimo",
            "minimale",
            "minimal",
            "mas frio",
            "plus froid",
        ],
        Agg::Min,
    ),
    (
        &[
            "maximum",
            "max",
            "highest",
            "hottest",
            "warmest",
            "peak",
            "saltiest",
            "maxima",
            "record high",
            "record highs",
            "hochste",
            "maximale temperatur",
            "massima",
            "massimo",
            "maximo",
            "maximale",
            "maximal",
            "mas caliente",
            "plus chaud",
        ],
        Agg::Max,
    ),
    (
        &[
            "profiles",
            "profile",
            "vs depth",
            "versus depth",
            "by depth",
            "with depth",
            "vertical",
            "perfil",
            "perfiles",
            "profil",
            "profils",
            "perfis",
        ],
        Agg::Profile,
    ),
];

/// Reads the remaining aggregation words; the first family in [`TABLE`] order wins, except that
/// "vs depth" is a profile and an explicit statistic beats "profiles".
pub fn late(text: &mut Text, current: Agg) -> Option<Agg> {
    if current != Agg::List {
        return None;
    }
    if text.take_any(&["vs depth", "versus depth", "against depth", "by depth"]).is_some() {
        return Some(Agg::Profile);
    }
    let mut hits: Vec<Agg> = Vec::new();
    for (words, agg) in TABLE {
        if text.take_any(words).is_some() {
            hits.push(*agg);
        }
    }
    let first = *hits.first()?;
    // "average temperature profile": the statistic; "profiles" alone: profile
    if first == Agg::Profile {
        return Some(Agg::Profile);
    }
    Some(first)
}
