//! Time expressions, relative to a reference date `now`, as inclusive calendar dates:
//! today, yesterday, last/past N hours/days/weeks/months/years, this/last week (Monday–Sunday), this/last
//! month and year (calendar), past year (rolling), since DATE, named months, years, month and year ranges,
//! explicit dates (ISO, "1 to 15 May 2025", "May 3, 2024"), decades, and meteorological seasons that
//! follow the region's hemisphere (austral summer is December–February; a December–February season named
//! by a year Y starts on 1 December of Y−1). English, Spanish, French and Portuguese words.

use chrono::{Datelike, Days, Months, NaiveDate};

use crate::interpretation::DateSpan;
use crate::text::{Text, number_word};

pub const WORDS: &[&str] = &[
    "today tonight yesterday tomorrow hours hour hrs days day weeks week wks months month years year yrs decade \
     decades since from until between during last past previous this current so far ytd date fortnight jja djf \
     mam",
    "january february march april may june july august september october november december jan feb mar apr jun \
     jul aug sep sept oct nov dec",
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre",
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre",
    "janeiro fevereiro marco abril maio junho julho agosto setembro outubro novembro dezembro",
    "spring summer autumn fall winter primavera verano otono invierno printemps ete automne hiver verao outono inverno \
     austral boreal",
    "hoy ayer aujourd hier hoje ontem semana semaine mes mois ano annee anos dias jours semanas semaines meses \
     ultimos ultimas derniers dernieres dernier derniere pasado pasada passado passada desde depuis este esta cette \
     ce letzten letzte letzter vergangenen seit heute gestern tage tagen woche wochen monat monate monaten jahr jahre \
     jahren januar februar marz juni juli oktober dezember sommer herbst fruhling ultimi ultime scorso scorsa oggi \
     ieri giorni settimane mese mesi anno anni gennaio febbraio aprile maggio giugno luglio settembre ottobre \
     dicembre estate autunno quarter",
];

/// What the time words say.
#[derive(Debug, Clone, PartialEq)]
pub enum TimeResult {
    None,
    Span(DateSpan),
    /// Only future dates: a forecast, which stored observations cannot answer.
    Future(String),
}

fn month_of(w: &str) -> Option<u32> {
    Some(match w {
        "january" | "jan" | "enero" | "janvier" | "janeiro" | "januar" | "gennaio" => 1,
        "february" | "feb" | "febrero" | "fevrier" | "fevereiro" | "februar" | "febbraio" => 2,
        "march" | "mar" | "marzo" | "mars" | "marco" | "marz" => 3,
        "april" | "apr" | "abril" | "avril" | "aprile" => 4,
        "may" | "mayo" | "mai" | "maio" | "maggio" => 5,
        "june" | "jun" | "junio" | "juin" | "junho" | "juni" | "giugno" => 6,
        "july" | "jul" | "julio" | "juillet" | "julho" | "juli" | "luglio" => 7,
        "august" | "aug" | "agosto" | "aout" => 8,
        "september" | "sep" | "sept" | "septiembre" | "setiembre" | "septembre" | "setembro" | "settembre" => 9,
        "october" | "oct" | "octubre" | "octobre" | "outubro" | "oktober" | "ottobre" => 10,
        "november" | "nov" | "noviembre" | "novembre" | "novembro" => 11,
        "december" | "dec" | "diciembre" | "decembre" | "dezembro" | "dezember" | "dicembre" => 12,
        _ => return None,
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Unit {
    Hour,
    Day,
    Week,
    Fortnight,
    Month,
    Year,
    Decade,
}

fn unit_of(w: &str) -> Option<Unit> {
    Some(match w {
        "hour" | "hours" | "hr" | "hrs" | "h" | "heure" | "heures" | "hora" | "horas" => Unit::Hour,
        "day" | "days" | "dia" | "dias" | "jour" | "jours" | "tag" | "tage" | "tagen" | "giorno" | "giorni" => {
            Unit::Day
        }
        "week" | "weeks" | "wk" | "wks" | "semana" | "semanas" | "semaine" | "semaines" | "woche" | "wochen"
        | "settimana" | "settimane" => Unit::Week,
        "fortnight" | "fortnights" => Unit::Fortnight,
        "month" | "months" | "mo" | "mos" | "mes" | "meses" | "mois" | "monat" | "monate" | "monaten" | "mese"
        | "mesi" => Unit::Month,
        "year" | "years" | "yr" | "yrs" | "ano" | "anos" | "annee" | "annees" | "an" | "ans" | "jahr" | "jahre"
        | "jahren" | "anno" | "anni" => Unit::Year,
        "decade" | "decades" | "decada" | "decadas" | "decennie" | "decennies" => Unit::Decade,
        _ => return None,
    })
}

fn last_day_of_month(y: i32, m: u32) -> NaiveDate {
    let first_next = if m == 12 { NaiveDate::from_ymd_opt(y + 1, 1, 1) } else { NaiveDate::from_ymd_opt(y, m + 1, 1) };
    first_next.and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX)
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn span(start: NaiveDate, end: NaiveDate) -> DateSpan {
    DateSpan { start, end }
}

fn back(now: NaiveDate, n: f64, u: Unit) -> NaiveDate {
    let n = n.max(0.0);
    let days = |d: f64| now.checked_sub_days(Days::new(d.min(1e6) as u64)).unwrap_or(NaiveDate::MIN);
    let n = n.min(1e5);
    match u {
        Unit::Hour => days((n / 24.0).ceil()),
        Unit::Day => days(n.round()),
        Unit::Week => days((n * 7.0).round()),
        Unit::Fortnight => days((n * 14.0).round()),
        Unit::Month => now.checked_sub_months(Months::new(n.round() as u32)).unwrap_or(NaiveDate::MIN),
        Unit::Year => now.checked_sub_months(Months::new((n * 12.0).round() as u32)).unwrap_or(NaiveDate::MIN),
        Unit::Decade => now.checked_sub_months(Months::new((n * 120.0).round() as u32)).unwrap_or(NaiveDate::MIN),
    }
}

const LAST: &[&str] = &[
    "letzten",
    "letzte",
    "letzter",
    "vergangenen",
    "ultimi",
    "ultime",
    "last",
    "past",
    "previous",
    "recent",
    "ultimos",
    "ultimas",
    "ultimo",
    "ultima",
    "derniers",
    "dernieres",
    "preceding",
];
const LAST_AFTER: &[&str] = &[
    "scorso",
    "scorsa",
    "pasado",
    "pasada",
    "pasados",
    "pasadas",
    "dernier",
    "derniere",
    "derniers",
    "dernieres",
    "passado",
    "passada",
    "passados",
    "passadas",
];

fn is_year(v: f64) -> bool {
    v.fract() == 0.0 && (1900.0..=2100.0).contains(&v)
}

fn unit_word_after(text: &Text, i: usize) -> bool {
    matches!(
        text.word(i + 1),
        Some(
            "m" | "meters"
                | "metres"
                | "meter"
                | "metre"
                | "metros"
                | "km"
                | "dbar"
                | "ft"
                | "feet"
                | "nm"
                | "c"
                | "f"
                | "psu"
                | "degrees"
        )
    )
}

/// Parses and claims the time words. `south`: the region is in the southern hemisphere (seasons flip).
pub fn parse(text: &mut Text, now: NaiveDate, south: bool) -> TimeResult {
    // Future words first: a forecast is not a query over stored data.
    for (i, t) in text.toks.iter().enumerate() {
        if t.s == "next" && text.word(i + 1).is_some_and(|w| season_of(w).is_some() || unit_of(w).is_some()) {
            return TimeResult::Future(format!("next {}", text.word(i + 1).unwrap_or("")));
        }
    }
    for p in [
        "tomorrow",
        "next week",
        "next month",
        "next year",
        "next days",
        "next weeks",
        "next months",
        "next years",
        "coming days",
        "coming weeks",
        "coming months",
        "upcoming",
        "in the future",
        "manana",
        "demain",
        "amanha",
        "proxima semana",
        "proximo mes",
        "proximo ano",
        "semaine prochaine",
        "mois prochain",
        "annee prochaine",
    ] {
        if text.find(p).is_some() {
            return TimeResult::Future(p.to_string());
        }
    }
    if let Some((i, _)) = text.find_any(&["next"])
        && (text.num(i + 1).is_some() || text.free(i + 1).is_some_and(|w| number_word(w).is_some()))
    {
        return TimeResult::Future("next".into());
    }
    let found = find_span(text, now, south);
    match found {
        Some(s) if s.start > now => TimeResult::Future(format!("{} to {}", s.start, s.end)),
        Some(s) => TimeResult::Span(s),
        None => TimeResult::None,
    }
}

fn find_span(text: &mut Text, now: NaiveDate, south: bool) -> Option<DateSpan> {
    if let Some(s) = iso(text, now) {
        return Some(s);
    }
    if text
        .take_any(&[
            "since the start of the year",
            "since the beginning of the year",
            "since the start of this year",
            "since the beginning of this year",
            "since january",
        ])
        .is_some()
    {
        return Some(span(ymd(now.year(), 1, 1)?, now));
    }
    if let Some(s) = quarter(text, now) {
        return Some(s);
    }
    if let Some(s) = relative(text, now) {
        return Some(s);
    }
    if let Some(s) = season(text, now, south) {
        return Some(s);
    }
    if let Some(s) = named(text, now) {
        return Some(s);
    }
    if let Some((i, n)) = text.take_any(&[
        "today",
        "tonight",
        "right now",
        "hoy",
        "aujourd hui",
        "aujourdhui",
        "hoje",
        "this morning",
        "heute",
        "oggi",
    ]) {
        let _ = (i, n);
        return Some(span(now, now));
    }
    if text.take_any(&["day before yesterday"]).is_some() {
        let d = now - Days::new(2);
        return Some(span(d, d));
    }
    if text.take_any(&["yesterday", "ayer", "hier", "ontem", "gestern", "ieri"]).is_some() {
        let d = now - Days::new(1);
        return Some(span(d, d));
    }
    None
}

fn iso(text: &mut Text, now: NaiveDate) -> Option<DateSpan> {
    let dates: Vec<(usize, NaiveDate)> = (0..text.len())
        .filter(|&i| text.free(i).is_some())
        .filter_map(|i| NaiveDate::parse_from_str(&text.toks[i].s, "%Y-%m-%d").ok().map(|d| (i, d)))
        .collect();
    let (i, d) = *dates.first()?;
    text.claim(i, 1);
    if let Some(&(j, e)) = dates.get(1) {
        text.claim(j, 1);
        claim_around(text, i);
        return Some(span(d.min(e), d.max(e)));
    }
    if i > 0 && matches!(text.word(i - 1), Some("since" | "desde" | "depuis" | "after" | "seit" | "dal")) {
        text.claim(i - 1, 1);
        return Some(span(d, now));
    }
    Some(span(d, d))
}

fn claim_around(text: &mut Text, i: usize) {
    if i > 0 && matches!(text.free(i - 1), Some("from" | "between" | "desde" | "entre" | "de" | "du" | "since")) {
        text.claim(i - 1, 1);
    }
}

fn count_at(text: &Text, i: usize) -> Option<f64> {
    text.num(i).or_else(|| text.free(i).and_then(number_word))
}

fn relative(text: &mut Text, now: NaiveDate) -> Option<DateSpan> {
    let n = text.len();
    for i in 0..n {
        let Some(w) = text.free(i).map(str::to_string) else { continue };
        let w = w.as_str();
        // so far this year / year to date
        if text.matches_at(i, &["year", "to", "date"]) || w == "ytd" {
            let k = if w == "ytd" { 1 } else { 3 };
            text.claim(i, k);
            return Some(span(ymd(now.year(), 1, 1)?, now));
        }
        let this = matches!(
            w,
            "this"
                | "current"
                | "este"
                | "esta"
                | "cette"
                | "ce"
                | "cet"
                | "dieses"
                | "diesen"
                | "diesem"
                | "diese"
                | "questo"
                | "questa"
        );
        if this && let Some(u) = text.free(i + 1).and_then(unit_of) {
            text.claim(i, 2);
            if i >= 2 && text.matches_at(i - 2, &["so", "far"]) {
                text.claim(i - 2, 2);
            }
            return Some(match u {
                Unit::Week | Unit::Fortnight => span(now - Days::new(now.weekday().num_days_from_monday() as u64), now),
                Unit::Month => span(ymd(now.year(), now.month(), 1)?, now),
                Unit::Year | Unit::Decade => span(ymd(now.year(), 1, 1)?, now),
                Unit::Day | Unit::Hour => span(now, now),
            });
        }
        // "last N units", "past N units", "the 30 last days"
        let last = LAST.contains(&w);
        if last {
            let mut j = i + 1;
            if let Some(c) = count_at(text, j) {
                j += 1;
                if matches!(text.free(j), Some("of")) && text.free(j + 1).and_then(unit_of).is_some() {
                    j += 1; // "the past couple of weeks"
                }
                if let Some(u) = text.free(j).and_then(unit_of) {
                    text.claim(i, j + 1 - i);
                    return Some(span(back(now, c, u), now));
                }
            } else if let Some(u) = text.free(j).and_then(unit_of) {
                text.claim(i, 2);
                let rolling =
                    matches!(w, "past" | "recent" | "ultimos" | "ultimas" | "ultimo" | "ultima" | "preceding");
                return calendar_or_rolling(now, u, rolling);
            }
        }
        // "30 derniers jours", "30 days", "N units ago"? : number then LAST_AFTER word then unit
        if let Some(c) = count_at(text, i)
            && text.free(i + 1).is_some_and(|x| LAST_AFTER.contains(&x) || LAST.contains(&x))
            && let Some(u) = text.free(i + 2).and_then(unit_of)
        {
            text.claim(i, 3);
            return Some(span(back(now, c, u), now));
        }
        // "el mes pasado", "le mois dernier", "los 30 dias pasados"
        if let Some(u) = unit_of(w)
            && text.free(i + 1).is_some_and(|x| LAST_AFTER.contains(&x))
        {
            if i > 0
                && let Some(c) = count_at(text, i - 1)
            {
                text.claim(i - 1, 3);
                return Some(span(back(now, c, u), now));
            }
            text.claim(i, 2);
            return calendar_or_rolling(now, u, false);
        }
    }
    None
}

/// "Q1 2024", "the first quarter of 2024", "Q3" (the most recent one).
fn quarter(text: &mut Text, now: NaiveDate) -> Option<DateSpan> {
    for i in 0..text.len() {
        let (q, n) = match (text.free(i), text.num(i + 1)) {
            (Some("q"), Some(v)) if text.toks[i + 1].glued && (1.0..=4.0).contains(&v) && v.fract() == 0.0 => {
                (v as u32, 2)
            }
            (Some(w), _) if text.free(i + 1) == Some("quarter") => {
                let q = match w {
                    "first" | "1st" => 1,
                    "second" | "2nd" => 2,
                    "third" | "3rd" => 3,
                    "fourth" | "4th" | "last" => 4,
                    _ => continue,
                };
                (q, 2)
            }
            _ => continue,
        };
        let mut j = i + n;
        if matches!(text.free(j), Some("of" | "in")) {
            j += 1;
        }
        let (year, end) = match text.num(j).filter(|&v| is_year(v)) {
            Some(y) => (y as i32, j + 1),
            None => {
                let y = if 3 * q - 2 <= now.month() { now.year() } else { now.year() - 1 };
                (y, i + n)
            }
        };
        let first = 3 * q - 2;
        text.claim(i, end - i);
        return Some(span(ymd(year, first, 1)?, last_day_of_month(year, first + 2)));
    }
    None
}

fn calendar_or_rolling(now: NaiveDate, u: Unit, rolling: bool) -> Option<DateSpan> {
    if rolling {
        return Some(span(back(now, 1.0, u), now));
    }
    Some(match u {
        Unit::Hour | Unit::Day => span(now - Days::new(1), now),
        Unit::Fortnight => span(now - Days::new(14), now),
        Unit::Week => {
            let this_monday = now - Days::new(now.weekday().num_days_from_monday() as u64);
            span(this_monday - Days::new(7), this_monday - Days::new(1))
        }
        Unit::Month => {
            let first = ymd(now.year(), now.month(), 1)?;
            let prev_last = first.pred_opt()?;
            span(ymd(prev_last.year(), prev_last.month(), 1)?, prev_last)
        }
        Unit::Year => span(ymd(now.year() - 1, 1, 1)?, ymd(now.year() - 1, 12, 31)?),
        Unit::Decade => span(back(now, 10.0, Unit::Year), now),
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Season {
    Spring,
    Summer,
    Autumn,
    Winter,
}

fn season_of(w: &str) -> Option<Season> {
    Some(match w {
        "spring" | "primavera" | "printemps" | "fruhling" => Season::Spring,
        "summer" | "verano" | "ete" | "verao" | "sommer" | "estate" => Season::Summer,
        "autumn" | "fall" | "otono" | "automne" | "outono" | "herbst" | "autunno" => Season::Autumn,
        "winter" | "invierno" | "hiver" | "inverno" => Season::Winter,
        _ => return None,
    })
}

/// First month of a season in a hemisphere (December for DJF).
fn season_start_month(s: Season, south: bool) -> u32 {
    match (s, south) {
        (Season::Spring, false) | (Season::Autumn, true) => 3,
        (Season::Summer, false) | (Season::Winter, true) => 6,
        (Season::Autumn, false) | (Season::Spring, true) => 9,
        (Season::Winter, false) | (Season::Summer, true) => 12,
    }
}

/// The season named by year `y` (DJF seasons run from December of y−1).
fn season_span(s: Season, south: bool, y: i32) -> Option<DateSpan> {
    let m = season_start_month(s, south);
    if m == 12 {
        Some(span(ymd(y - 1, 12, 1)?, last_day_of_month(y, 2)))
    } else {
        Some(span(ymd(y, m, 1)?, last_day_of_month(y, m + 2)))
    }
}

/// "DJF 2024", "JJA": seasons named by their months, whatever the hemisphere.
fn season_code(w: &str) -> Option<Season> {
    Some(match w {
        "mam" => Season::Spring,
        "jja" => Season::Summer,
        "son" => Season::Autumn,
        "djf" => Season::Winter,
        _ => return None,
    })
}

fn season(text: &mut Text, now: NaiveDate, south: bool) -> Option<DateSpan> {
    // codes only in capitals or before a year ("son" is also a Spanish and French word)
    let is_code = |i: usize| {
        text.free(i).and_then(season_code).is_some() && (text.toks[i].upper || text.num(i + 1).is_some_and(is_year))
    };
    let i = (0..text.len()).find(|&i| text.free(i).and_then(season_of).is_some() || is_code(i))?;
    let code = if is_code(i) { season_code(text.free(i)?) } else { None };
    let s = code.or_else(|| season_of(text.free(i)?))?;
    let south = if code.is_some() { false } else { south };
    let mut first = i;
    let mut last = i;
    let mut south = south;
    let fixed = code.is_some();
    let mut mode: Option<&str> = None;
    // modifiers before: "last austral summer", "this boreal winter", "the southern hemisphere summer"
    let mut k = i;
    let mut year = None;
    while k > 0 {
        if let Some(v) = text.num(k - 1).filter(|&v| is_year(v)) {
            year = Some(v as i32);
            k -= 1;
            continue;
        }
        let w = text.free(k - 1).unwrap_or("");
        match w {
            "austral" => south = true,
            "boreal" => south = false,
            "last" | "previous" | "past" => mode = Some("last"),
            "this" | "current" | "este" | "cette" | "ce" => mode = Some("this"),
            "hemisphere" | "southern" | "northern" | "the" | "of" => {
                if w == "southern" {
                    south = true;
                }
                if w == "northern" {
                    south = false;
                }
            }
            _ => break,
        }
        k -= 1;
    }
    first = first.min(k);
    // after: "summer 2023", "summer of 2023", "verano de 2023", "austral" after ("verano austral")
    let mut j = i + 1;
    loop {
        match text.free(j) {
            Some("austral") => {
                south = true;
                j += 1;
            }
            Some("boreal") => {
                south = false;
                j += 1;
            }
            Some("of" | "de" | "d" | "in") if text.num(j + 1).is_some_and(is_year) => j += 1,
            Some("pasado" | "passado" | "dernier") => {
                mode = Some("last");
                j += 1;
            }
            _ => break,
        }
    }
    if let Some(v) = text.num(j).filter(|&v| is_year(v)) {
        year = Some(v as i32);
        last = j;
        // "winter 2023/24", "summer 2023-2024": the season that spans into the second year
        if matches!(text.free(j + 1), Some("/" | "-"))
            && let Some(w) = text.num(j + 2)
            && (w == v + 1.0 || w == (v + 1.0) % 100.0)
        {
            year = Some(v as i32 + 1);
            last = j + 2;
        }
    } else {
        last = last.max(j - 1);
    }
    if fixed {
        south = false;
    }
    text.claim(first, last + 1 - first);
    if let Some(y) = year {
        return season_span(s, south, y);
    }
    // the most recent completed one ("last"), or the one in progress ("this" / bare)
    for y in (now.year() - 1..=now.year() + 1).rev() {
        let sp = season_span(s, south, y)?;
        if mode != Some("last") && sp.start <= now && now <= sp.end {
            return Some(span(sp.start, now));
        }
        if sp.end < now {
            return Some(sp);
        }
    }
    None
}

#[derive(Clone, Copy, Debug)]
struct Atom {
    at: usize,
    end: usize,
    year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
    decade: bool,
}

fn month_at(text: &Text, i: usize) -> Option<u32> {
    let w = text.free(i)?;
    let m = month_of(w)?;
    // "may" and "mar" are also words: months only next to a number or a date word
    if matches!(
        w,
        "may" | "mar" | "mai" | "sep" | "jun" | "jan" | "dec" | "oct" | "nov" | "aug" | "apr" | "feb" | "jul"
    ) {
        let near_num = text.num(i + 1).is_some() || (i > 0 && text.num(i - 1).is_some());
        let prev = if i > 0 { text.word(i - 1) } else { None };
        let ctx = matches!(
            prev,
            Some(
                "in" | "during"
                    | "from"
                    | "since"
                    | "to"
                    | "until"
                    | "through"
                    | "of"
                    | "and"
                    | "-"
                    | "between"
                    | "early"
                    | "late"
                    | "mid"
                    | "en"
                    | "de"
                    | "desde"
                    | "em"
                    | "depuis"
                    | "entre"
                    | "a"
                    | "al"
                    | "au"
                    | "ate"
            )
        );
        if w == "mar" && !near_num {
            return None;
        }
        if !near_num && !ctx {
            return None;
        }
    }
    Some(m)
}

fn atom_at(text: &Text, i: usize) -> Option<Atom> {
    let skip_de = |j: usize| if matches!(text.free(j), Some("de" | "of" | "del")) { j + 1 } else { j };
    // day month [year]
    if let Some(d) = text.num(i).filter(|v| v.fract() == 0.0 && (1.0..=31.0).contains(v)) {
        let mut j = i + 1;
        if matches!(text.free(j), Some("st" | "nd" | "rd" | "th" | "er")) {
            j += 1;
        }
        let j = skip_de(j);
        if let Some(m) = month_at(text, j) {
            let k = skip_de(j + 1);
            let k = if text.free(j + 1) == Some(",") { j + 2 } else { k };
            if let Some(y) = text.num(k).filter(|&v| is_year(v)) {
                return Some(Atom {
                    at: i,
                    end: k + 1,
                    year: Some(y as i32),
                    month: Some(m),
                    day: Some(d as u32),
                    decade: false,
                });
            }
            return Some(Atom { at: i, end: j + 1, year: None, month: Some(m), day: Some(d as u32), decade: false });
        }
    }
    if let Some(m) = month_at(text, i) {
        let mut j = i + 1;
        // month day[,] [year]
        if let Some(d) = text.num(j).filter(|v| v.fract() == 0.0 && (1.0..=31.0).contains(v)) {
            j += 1;
            if matches!(text.free(j), Some("st" | "nd" | "rd" | "th")) {
                j += 1;
            }
            if text.free(j) == Some(",") {
                j += 1;
            }
            if let Some(y) = text.num(j).filter(|&v| is_year(v)) {
                return Some(Atom {
                    at: i,
                    end: j + 1,
                    year: Some(y as i32),
                    month: Some(m),
                    day: Some(d as u32),
                    decade: false,
                });
            }
            return Some(Atom { at: i, end: j, year: None, month: Some(m), day: Some(d as u32), decade: false });
        }
        let j = skip_de(i + 1);
        let j2 = if text.free(i + 1) == Some(",") { i + 2 } else { j };
        if let Some(y) = text.num(j2).filter(|&v| is_year(v)) {
            return Some(Atom { at: i, end: j2 + 1, year: Some(y as i32), month: Some(m), day: None, decade: false });
        }
        return Some(Atom { at: i, end: i + 1, year: None, month: Some(m), day: None, decade: false });
    }
    if let Some(y) = text.num(i).filter(|&v| is_year(v)) {
        if unit_word_after(text, i) {
            return None;
        }
        if text.free(i + 1) == Some("s") && text.toks[i + 1].glued {
            return Some(Atom { at: i, end: i + 2, year: Some(y as i32), month: None, day: None, decade: true });
        }
        return Some(Atom { at: i, end: i + 1, year: Some(y as i32), month: None, day: None, decade: false });
    }
    None
}

fn atom_span(a: &Atom, year: i32) -> Option<DateSpan> {
    let y = a.year.unwrap_or(year);
    Some(match (a.month, a.day) {
        (Some(m), Some(d)) => {
            let x = ymd(y, m, d)?;
            span(x, x)
        }
        (Some(m), None) => span(ymd(y, m, 1)?, last_day_of_month(y, m)),
        _ if a.decade => span(ymd(y, 1, 1)?, ymd(y + 9, 12, 31)?),
        _ => span(ymd(y, 1, 1)?, ymd(y, 12, 31)?),
    })
}

/// The year a month without a year most recently had (this year up to now, else last year).
fn recent_year(m: u32, now: NaiveDate) -> i32 {
    if m <= now.month() { now.year() } else { now.year() - 1 }
}

const RANGE: &[&str] =
    &["to", "-", "until", "till", "through", "thru", "and", "a", "al", "au", "hasta", "ate", "y", "et", "e"];

fn named(text: &mut Text, now: NaiveDate) -> Option<DateSpan> {
    let n = text.len();
    for i in 0..n {
        // "1 to 15 May 2025": a bare day, a connector, then a full date
        let (a, day_only) = match atom_at(text, i) {
            Some(a) => (a, false),
            None => {
                let Some(d) = text.num(i).filter(|v| v.fract() == 0.0 && (1.0..=31.0).contains(v)) else { continue };
                if !text.free(i + 1).is_some_and(|w| RANGE.contains(&w)) {
                    continue;
                }
                (Atom { at: i, end: i + 1, year: None, month: None, day: Some(d as u32), decade: false }, true)
            }
        };
        let mut start = a.at;
        if start > 0
            && matches!(
                text.free(start - 1),
                Some(
                    "from"
                        | "between"
                        | "desde"
                        | "entre"
                        | "de"
                        | "du"
                        | "in"
                        | "during"
                        | "en"
                        | "em"
                        | "for"
                        | "of"
                        | "since"
                        | "depuis"
                        | "seit"
                        | "dal"
                        | "im"
                        | "nel"
                        | "throughout"
                        | "over"
                        | "durante"
                        | "pendant"
                )
            )
        {
            start -= 1;
        }
        let since = start < a.at && matches!(text.word(start), Some("since" | "desde" | "depuis" | "seit" | "dal"))
            || text.free(a.end) == Some("onwards")
            || text.matches_at(a.end, &["on"]) && a.year.is_some();
        // a range?
        let conn = text.free(a.end).is_some_and(|w| RANGE.contains(&w));
        let b = if conn { atom_at(text, a.end + 1) } else { None };
        // "Month D-D, YYYY" ("May 1-15, 2025")
        if b.is_none()
            && conn
            && a.month.is_some()
            && a.day.is_some()
            && let Some(d2) = text.num(a.end + 1).filter(|v| v.fract() == 0.0 && (1.0..=31.0).contains(v))
        {
            let mut k = a.end + 2;
            if text.free(k) == Some(",") {
                k += 1;
            }
            let y = text.num(k).filter(|&v| is_year(v)).map(|v| v as i32);
            let end_tok = if y.is_some() { k + 1 } else { a.end + 2 };
            let m = a.month?;
            let y = y.or(a.year).unwrap_or_else(|| recent_year(m, now));
            text.claim(start, end_tok - start);
            return Some(span(ymd(y, m, a.day?)?, ymd(y, m, d2 as u32)?));
        }
        if let Some(b) = b {
            // complete the first atom from the second
            let by = b.year.unwrap_or_else(|| b.month.map(|m| recent_year(m, now)).unwrap_or(now.year()));
            let bspan = atom_span(&b, by)?;
            let mut a2 = a;
            if day_only {
                a2.month = b.month;
            }
            let ay = match (a2.year, a2.month, b.month) {
                (Some(y), _, _) => y,
                (None, Some(am), Some(bm)) if am > bm => bspan.end.year() - 1,
                _ => bspan.end.year(),
            };
            let aspan = atom_span(&a2, ay)?;
            text.claim(start, b.end - start);
            return Some(span(aspan.start, bspan.end.max(aspan.start)));
        }
        if day_only {
            continue;
        }
        let y = a.year.unwrap_or_else(|| a.month.map(|m| recent_year(m, now)).unwrap_or(now.year()));
        let s = atom_span(&a, y)?;
        // "so far in 2025", "2025 to date": the current period up to now
        let so_far = text.find("so far").is_some() || text.matches_at(a.end, &["to", "date"]);
        if so_far && s.start <= now && now <= s.end {
            text.claim(start, a.end - start);
            if let Some(k) = text.find("so far") {
                text.claim(k, 2);
            }
            return Some(span(s.start, now));
        }
        let mut end = a.end;
        if matches!(text.free(end), Some("onwards" | "onward")) {
            end += 1;
        }
        text.claim(start, end - start);
        if since {
            return Some(span(s.start, now));
        }
        return Some(s);
    }
    None
}
