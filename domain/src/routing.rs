//! Where a request goes: entitlement → lead department and handling place → a queue
//! (department, county). Residence-place entitlements go to the residence county; those handled
//! "at the residence, coordinating with the hukou place" also open a coordination task in the
//! hukou county's queue of the same department when the hukou place is in Guizhou, and carry a
//! cross-province step (跨省通办) handled by the residence county when it is not. Only Guizhou
//! places have queues.

use chrono::NaiveDate;

use crate::{
    policy::{HandlingPlace, Policy, Routing},
    regions::Divisions,
};

/// A work queue: one department in one region (a county; a prefecture or the province after
/// escalation).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Queue {
    /// Department code.
    pub department: String,
    /// Region code.
    pub region: String,
}

/// The queues a new request lands in.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Route {
    /// The queue that owns the request.
    pub lead: Queue,
    /// A linked coordination task at the hukou place (same department), if any.
    pub coordination: Option<Queue>,
    /// The lead queue handles a cross-province coordination step (hukou outside Guizhou).
    pub cross_province: bool,
    /// Deadlines of the entitlement on the routing date.
    pub deadlines: Routing,
}

/// Why a request cannot be routed; `field` names the input to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteError {
    /// camelCase field.
    pub field: &'static str,
    /// Chinese message.
    pub message_zh: &'static str,
    /// English message.
    pub message_en: &'static str,
}

const NOT_REQUESTABLE: RouteError =
    RouteError {
        field: "entitlementCode", message_zh: "该服务项目不能在线申请", message_en: "this entitlement cannot be requested"
    };
const RESIDENCE: RouteError = RouteError {
    field: "residenceRegionCode",
    message_zh: "居住地须为贵州省的县级行政区",
    message_en: "the residence must be a county in Guizhou",
};

/// Routes a request for `entitlement` of a child living in `residence` with hukou in `hukou`.
pub fn route(
    policy: &Policy,
    divisions: &Divisions,
    entitlement: &str,
    residence: &str,
    hukou: Option<&str>,
    on: NaiveDate,
) -> Result<Route, RouteError> {
    let e = policy.entitlement(entitlement).filter(|e| e.requestable).ok_or(NOT_REQUESTABLE)?;
    let deadlines = e.routing_at(on).ok_or(NOT_REQUESTABLE)?;
    if !(divisions.is_county(residence) && divisions.in_guizhou(residence)) {
        return Err(RESIDENCE);
    }
    let dept = deadlines.queue_department.clone();
    let queue = |region: &str| Queue { department: dept.clone(), region: region.to_owned() };
    let hukou_in_guizhou = hukou.is_some_and(|h| divisions.is_county(h) && divisions.in_guizhou(h));
    let (lead, coordination, cross_province) = match e.handled_at {
        HandlingPlace::Residence | HandlingPlace::None => (queue(residence), None, false),
        HandlingPlace::ResidenceWithHukou => match hukou {
            Some(h) if hukou_in_guizhou && h != residence => (queue(residence), Some(queue(h)), false),
            Some(h) if hukou_in_guizhou || h == residence => (queue(residence), None, false),
            Some(_) => (queue(residence), None, true),
            None => {
                return Err(RouteError {
                    field: "hukouRegionCode",
                    message_zh: "此项需要户籍地信息",
                    message_en: "the hukou place is needed for this entitlement",
                });
            }
        },
        HandlingPlace::Hukou => match hukou {
            Some(h) if hukou_in_guizhou => (queue(h), None, false),
            Some(_) => (queue(residence), None, true),
            None => {
                return Err(RouteError {
                    field: "hukouRegionCode",
                    message_zh: "此项需要户籍地信息",
                    message_en: "the hukou place is needed for this entitlement",
                });
            }
        },
    };
    Ok(Route { lead, coordination, cross_province, deadlines })
}

/// Whether a transfer of a request for `entitlement` to `to` stays within the policy's routing:
/// the department must be one the policy names for the entitlement, and the region a Guizhou
/// county (or, for escalated work, a Guizhou prefecture or the province).
pub fn transfer_allowed(policy: &Policy, divisions: &Divisions, entitlement: &str, to: &Queue) -> bool {
    let Some(e) = policy.entitlement(entitlement) else { return false };
    let dept_ok = e.departments().any(|d| d == to.department) || e.routing.as_ref().is_some_and(|r| r.queue_department == to.department);
    dept_ok && divisions.get(&to.region).is_some() && divisions.in_guizhou(&to.region) && to.region.len() == 6
}

/// The region one level up (county → prefecture → province); none above the province.
pub fn escalate(divisions: &Divisions, region: &str) -> Option<String> {
    divisions.get(region)?.parent_code.clone()
}
