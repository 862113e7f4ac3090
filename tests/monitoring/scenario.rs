//! What the monitoring scenarios share: a server whose tokens outlive half a year, the
//! operations they send, and the inputs of a screened child.

use integration_tests::TestApp;
use serde_json::{Value, json};

/// Tokens outlive the half-year these scenarios move through.
pub async fn app() -> TestApp {
    TestApp::spawn_with(|c| c.jwt_access_ttl_secs = 800 * 24 * 3600).await
}

pub const DUE: &str =
    "query($r: String!){ dueVerifications(regionCode: $r, first: 50){ edges { node { id verificationDue source awaitingGuardian } } } }";
pub const VERIFY: &str = "mutation($c: ID!, $i: VerificationInput){ verifyChildRecord(childId: $c, input: $i){ id verificationDue lastVerifiedAt residenceTownship { code } } }";
pub const ADD: &str =
    "mutation($c: ID!, $r: [KeyCareReason!]!){ addToKeyCare(childId: $c, reasons: $r){ id version inScope reasons riskLevel } }";
pub const ASSESS: &str = "mutation($c: ID!, $i: RiskAssessmentInput!){ assessRisk(childId: $c, input: $i){ version riskLevel riskScore assessments { level score rubricVersion } } }";
pub const LEDGER: &str =
    "query($r: String!){ keyCareLedger(regionCode: $r, first: 50){ edges { node { id child { id name } reasons riskLevel } } } }";
pub const SUBMIT: &str = "mutation($i: SubmitRequestInput!){ submitRequest(input: $i){ id dueAt priority } }";
pub const STAFF_GET: &str = "query($id: ID!){ request(id: $id){ id status dueAt priority childAgedOutOn history { kind public note } } }";
pub const REGISTER_SCREENED: &str = "mutation($i: ChildInput!, $c: PaperConsentInput!){ registerScreenedChild(input: $i, consent: $c){ id source awaitingGuardian idNumberMasked } }";

pub fn ids(r: &Value, op: &str) -> Vec<String> {
    r["data"][op]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{op}: {r}"))
        .iter()
        .map(|e| e["node"]["child"]["id"].as_str().or(e["node"]["id"].as_str()).unwrap_or_default().to_owned())
        .collect()
}

pub fn answers(levels: [i32; 5]) -> Value {
    let codes = ["guardianship", "family_hardship", "health", "psychological", "safety"];
    json!(codes.iter().zip(levels).map(|(c, l)| json!({"criterion": c, "level": l})).collect::<Vec<_>>())
}

/// A child found in screening in 新华路街道 (520102016) of 南明区.
pub fn screened_child(name: &str, id: &str) -> Value {
    json!({"name": name, "sex": "FEMALE", "birthDate": "2016-04-02", "idNumber": id, "hukouRegionCode": "520304",
           "residenceRegionCode": "520102", "residenceTownshipCode": "520102016", "residenceSince": "2023-03-01", "movedWithGuardian": true})
}

pub fn paper(day: &str) -> Value {
    json!({"signedBy": "王某（母亲）", "signedOn": day, "textVersion": "2026-11"})
}
