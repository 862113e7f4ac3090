//! Rough throughput of `screen` (run with `--release`): prints microseconds per call.

use std::time::Instant;

use domain::eligibility::{Facts, Lang, ScreenOptions, screen_with};
use domain::policy::PolicySet;
use domain::regions::Divisions;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let divisions = Divisions::from_csv(include_str!("../../data/divisions.csv"))?;
    let policies = PolicySet::builtin(&divisions)?;
    let facts: Facts = serde_json::from_str(
        r#"{"birthDate":"2015-03-01","hukouRegionCode":"510104","residenceRegionCode":"520102","residenceSince":"2024-09-01",
            "movedWithGuardian":true,"hasResidencePermit":true,"meetsHukouDibaoTest":true,"hasDisabilityCertificate":true}"#,
    )?;
    let as_of = "2025-06-01".parse()?;
    let n = 20_000;
    for trace in [true, false] {
        let start = Instant::now();
        let mut rows = 0;
        for i in 0..n {
            let lang = if i % 2 == 0 { Lang::Zh } else { Lang::En };
            let r = screen_with(&policies, &divisions, &facts, as_of, lang, ScreenOptions { trace, plain: trace, explain_scope: trace })?;
            rows += r.entitlements.iter().map(|e| e.trace.len()).sum::<usize>() + r.scope.reasons.len();
        }
        let per = start.elapsed().as_secs_f64() * 1e6 / f64::from(n);
        println!("screen (trace: {trace}): {per:.1} µs per call ({} trace rows per call)", rows / n as usize);
    }
    Ok(())
}
