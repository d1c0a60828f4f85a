//! `halocline bench nlq`: parse latency of Ocean Chat's parser over a case file (the shared NLQ dev set
//! when it is beside the checkout, else the repo's own extra cases): the first parse (which builds the
//! gazetteer and the typo vocabulary) and p50 / p99 / max over repeated parses.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;

fn default_cases() -> Option<PathBuf> {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        PathBuf::from("../shared/eval/nlq/dev.jsonl"),
        here.join("../../../shared/eval/nlq/dev.jsonl"),
        here.join("../nlq/test-data/nlq_extra.jsonl"),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

pub fn run(cases: Option<PathBuf>, rounds: usize) -> anyhow::Result<()> {
    let path = cases.or_else(default_cases).context("no case file found: pass --cases FILE.jsonl")?;
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut questions = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let v: serde_json::Value =
            serde_json::from_str(line).with_context(|| format!("{}:{}", path.display(), n + 1))?;
        questions.push(v["q"].as_str().with_context(|| format!("{}:{}: no \"q\"", path.display(), n + 1))?.to_string());
    }
    anyhow::ensure!(!questions.is_empty(), "{} holds no cases", path.display());
    let now = chrono::NaiveDate::from_ymd_opt(2025, 6, 15).context("date")?;
    let t0 = Instant::now();
    let _ = nlq::parse(&questions[0], now);
    let cold = t0.elapsed().as_secs_f64() * 1e3;
    let mut times: Vec<f64> = Vec::with_capacity(questions.len() * rounds);
    let mut clarified = 0;
    for _ in 0..rounds.max(1) {
        for q in &questions {
            let t = Instant::now();
            let it = nlq::parse(q, now);
            times.push(t.elapsed().as_secs_f64() * 1e3);
            clarified += usize::from(it.clarify.is_some());
        }
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    println!(
        "nlq parse over {} ({} questions × {} rounds, {} asked back per round)",
        path.display(),
        questions.len(),
        rounds.max(1),
        clarified / rounds.max(1)
    );
    println!("{:<28} {:>10}", "measure", "ms");
    println!("{:<28} {:>10.3}", "first parse (cold tables)", cold);
    println!("{:<28} {:>10.3}", "p50", pct(0.50));
    println!("{:<28} {:>10.3}", "p99", pct(0.99));
    println!("{:<28} {:>10.3}", "max", pct(1.0));
    println!("{:<28} {:>10.3}", "mean", mean);
    Ok(())
}
