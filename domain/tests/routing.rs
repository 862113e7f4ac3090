//! The routing table, kept as data in `routing.toml`: every requestable entitlement with a hukou
//! place in the same county, another Guizhou county and another province.

use chrono::NaiveDate;
use domain::{
    policy::PolicySet,
    regions::Divisions,
    routing::{self, Queue},
};
use serde::Deserialize;

#[derive(Deserialize)]
struct Cases {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    entitlement: String,
    residence: String,
    hukou: String,
    lead: String,
    coordination: Option<String>,
    cross_province: bool,
}

fn queue(s: &str) -> Queue {
    let (department, region) = s.split_once('@').expect("department@region");
    Queue { department: department.into(), region: region.into() }
}

fn setup() -> (PolicySet, Divisions) {
    let divisions = Divisions::from_csv(include_str!("../../data/divisions.csv")).expect("divisions");
    let policy = PolicySet::builtin(&divisions).expect("policy");
    (policy, divisions)
}

#[test]
fn every_requestable_entitlement_routes_as_the_table_says() {
    let (policies, divisions) = setup();
    let day = NaiveDate::from_ymd_opt(2026, 9, 1).expect("date");
    let policy = policies.version_at(day).expect("policy in force");
    let cases: Cases = toml::from_str(include_str!("routing.toml")).expect("routing.toml");
    let mut covered: Vec<&str> = Vec::new();
    for c in &cases.case {
        let r = routing::route(policy, &divisions, &c.entitlement, &c.residence, Some(&c.hukou), day)
            .unwrap_or_else(|e| panic!("{}: {e:?}", c.name));
        assert_eq!(r.lead, queue(&c.lead), "{}", c.name);
        assert_eq!(r.coordination, c.coordination.as_deref().map(queue), "{}", c.name);
        assert_eq!(r.cross_province, c.cross_province, "{}", c.name);
        assert!(r.deadlines.resolution_working_days > 0, "{}", c.name);
        covered.push(&c.entitlement);
    }
    let requestable: Vec<&str> = policy.entitlements.iter().filter(|e| e.requestable).map(|e| e.code.as_str()).collect();
    for e in requestable {
        assert_eq!(covered.iter().filter(|c| **c == e).count(), 3, "{e} needs three cases");
    }
}

#[test]
fn nothing_routes_outside_guizhou_or_for_an_information_item() {
    let (policies, divisions) = setup();
    let day = NaiveDate::from_ymd_opt(2026, 9, 1).expect("date");
    let policy = policies.version_at(day).expect("policy");
    assert_eq!(
        routing::route(policy, &divisions, "school_enrolment", "430102", Some("520102"), day).map_err(|e| e.field),
        Err("residenceRegionCode")
    );
    assert_eq!(routing::route(policy, &divisions, "hotline_12355", "520102", None, day).map_err(|e| e.field), Err("entitlementCode"));
    assert_eq!(routing::route(policy, &divisions, "orphan_allowance", "520102", None, day).map_err(|e| e.field), Err("hukouRegionCode"));
}

#[test]
fn transfers_stay_within_the_policy_and_escalation_climbs_one_level() {
    let (policies, divisions) = setup();
    let policy = policies.latest();
    let q = |d: &str, r: &str| Queue { department: d.into(), region: r.into() };
    assert!(routing::transfer_allowed(policy, &divisions, "school_enrolment", &q("education", "520111")));
    assert!(!routing::transfer_allowed(policy, &divisions, "school_enrolment", &q("housing", "520111")));
    assert!(!routing::transfer_allowed(policy, &divisions, "school_enrolment", &q("education", "430102")));
    assert_eq!(routing::escalate(&divisions, "520102").as_deref(), Some("520100"));
    assert_eq!(routing::escalate(&divisions, "520100").as_deref(), Some("520000"));
    assert_eq!(routing::escalate(&divisions, "520000"), None);
}
