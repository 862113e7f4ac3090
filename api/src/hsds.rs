//! The directory as Open Referral HSDS 3.0 JSON (`GET /hsds/services`), so other directories
//! (the civil-affairs portal, 12345 hotlines) can import it. Only verified organizations appear.

use serde_json::{Value, json};

use crate::services::directory::Listing;

/// One HSDS `service` object with its organization, location, schedules, eligibility and cost.
pub fn service(l: &Listing) -> Value {
    let s = &l.service;
    let o = &l.organization;
    let loc = &l.location;
    json!({
        "id": s.id,
        "organization_id": o.id,
        "name": s.name,
        "description": s.description,
        "status": "active",
        "languages": s.languages.split(',').map(|code| json!({"code": code})).collect::<Vec<_>>(),
        "cost_options": [{"amount": f64::from(s.cost_cents) / 100.0, "currency": "CNY", "option": if s.cost_cents == 0 { "free" } else { "fee" }}],
        "eligibility_description": format!("{}–{} 岁 / ages {}–{}", s.min_age, s.max_age, s.min_age, s.max_age),
        "minimum_age": s.min_age,
        "maximum_age": s.max_age,
        "attributes": [
            {"taxonomy_term": {"code": s.entitlement_code, "taxonomy": "tongxin-entitlements"}},
            {"taxonomy_term": {"code": s.category, "taxonomy": "tongxin-categories"}}
        ],
        "organization": {
            "id": o.id,
            "name": o.name,
            "identifiers": [{"identifier_scheme": "CN-USCC", "identifier": o.credit_code}],
        },
        "service_at_locations": [{
            "id": format!("{}:{}", s.id, loc.id),
            "location": {
                "id": loc.id,
                "name": loc.name,
                "location_type": "physical",
                "latitude": loc.latitude,
                "longitude": loc.longitude,
                "addresses": [{"address_1": loc.address, "region": loc.county_code, "country": "CN", "address_type": "physical"}],
                "attributes": [{"taxonomy_term": {"code": loc.kind, "taxonomy": "tongxin-location-kinds"}}],
            }
        }],
        "schedules": l.sessions.iter().map(|x| json!({
            "id": x.id,
            "valid_from": x.starts_at.date_naive(),
            "valid_to": x.ends_at.date_naive(),
            "dtstart": x.starts_at.to_rfc3339(),
            "until": x.ends_at.to_rfc3339(),
            "freq": null,
            "description": format!("{} seats, {} left", x.capacity, (x.capacity - x.booked).max(0)),
        })).collect::<Vec<_>>(),
    })
}
