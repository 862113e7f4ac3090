//! Prints a screening as JSON, for eyeballing traces and next steps:
//! `cargo run -p domain --example screen -- '{"birthDate":"2015-03-01",...}' 2025-06-01 en`

use domain::eligibility::{Facts, Lang, screen};
use domain::policy::PolicySet;
use domain::regions::Divisions;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let facts: Facts = serde_json::from_str(args.get(1).map(String::as_str).unwrap_or("{}"))?;
    let as_of = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or_else(|| chrono::Local::now().date_naive());
    let lang = Lang::from_tag(args.get(3).map(String::as_str).unwrap_or("zh-CN"));
    let divisions = Divisions::from_csv(include_str!("../../data/divisions.csv"))?;
    let policies = PolicySet::builtin(&divisions)?;
    match screen(&policies, &divisions, &facts, as_of, lang) {
        Ok(r) => println!("{}", serde_json::to_string_pretty(&r)?),
        Err(e) => println!("{}", serde_json::to_string_pretty(&e)?),
    }
    Ok(())
}
