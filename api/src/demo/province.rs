//! A small demo province for `--demo`: about three hundred children in five counties of three
//! prefectures, requests in every status, a verified organization with sessions and bookings,
//! children found in screening, and a key-care ledger with assessments and care measures — so
//! queues, ledgers and statistics are worth looking at. Everything goes through the services, so
//! the data obeys the same rules as real use. Deterministic and run once (a marker account).

use chrono::{Duration, NaiveDate};
use domain::{credit_code::CreditCode, eligibility::Facts, input::IdempotencyKey, monitoring::KeyCareReason, text::Line};
use entities::account;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::password::DEMO_PASSWORD;
use crate::{
    auth::{Role, Viewer, password},
    error::{AppResult, OnField},
    services::{
        accounts, bookings,
        children::{self, ChildData, ChildDetails},
        directory::{self, NewLocation, NewOrganization, NewService},
        families::{self, CONSENT_TEXT_VERSION, Purpose},
        key_care::{self, Assessment, NewMeasure},
        register::{self, PaperConsent},
        requests::{self, Submission},
    },
    state::AppState,
};

/// Counties of residence: Guiyang's 南明, 云岩 and 花溪, Zunyi's 红花岗, Anshun's 西秀.
const COUNTIES: [&str; 5] = ["520102", "520103", "520111", "520302", "520402"];
/// Hukou places: Guizhou counties outside those cities, and two other provinces.
const HUKOU: [&str; 6] = ["520304", "522301", "522601", "520281", "500101", "430111"];
const FAMILIES: usize = 130;
const NAMES: [&str; 12] = ["小明", "小红", "小军", "小芳", "小杰", "小雨", "小龙", "小燕", "小宇", "小欣", "小涛", "小琳"];

/// What the demo created.
pub struct Summary {
    /// Children registered (guardians' and screened).
    pub children: usize,
    /// Requests filed.
    pub requests: usize,
    /// Ledger entries.
    pub key_care: usize,
    /// Bookings made.
    pub bookings: usize,
}

fn viewer(id: Uuid, role: Role, department: Option<&str>, region: Option<&str>) -> Viewer {
    Viewer {
        account_id: id,
        session_id: Uuid::nil(),
        role,
        department_code: department.map(str::to_owned),
        region_code: region.map(str::to_owned),
        organization_id: None,
    }
}

/// Inserts a verified account with a precomputed hash (hashing hundreds of passwords would make
/// `--demo` take minutes on a debug build).
async fn account(state: &AppState, email: &str, hash: &str, role: Role, department: Option<&str>, region: Option<&str>) -> AppResult<Uuid> {
    if let Some(a) = account::Entity::find().filter(account::Column::Email.eq(email)).one(&state.db).await? {
        return Ok(a.id);
    }
    let now = state.clock.now();
    let id = Uuid::now_v7();
    account::Entity::insert(account::ActiveModel {
        id: Set(id),
        email: Set(Some(email.to_owned())),
        password_hash: Set(Some(hash.to_owned())),
        display_name: Set(email.split('@').next().unwrap_or(email).to_owned()),
        role: Set(role.as_str().to_owned()),
        department_code: Set(department.map(str::to_owned)),
        region_code: Set(region.map(str::to_owned)),
        organization_id: Set(None),
        email_verified_at: Set(Some(now)),
        disabled_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(&state.db)
    .await?;
    Ok(id)
}

/// Staff of a department in a county, created on first use.
async fn staff(state: &AppState, hash: &str, department: &str, county: &str) -> AppResult<Viewer> {
    let role = if department == "civil_affairs" { Role::CivilAffairs } else { Role::DepartmentStaff };
    let email = format!("{department}.{county}@demo.tongxin");
    let id = account(state, &email, hash, role, Some(department), Some(county)).await?;
    Ok(viewer(id, role, Some(department), Some(county)))
}

fn township(state: &AppState, county: &str, i: usize) -> Option<String> {
    let divisions = state.reference.divisions();
    let t = divisions.children(county);
    (!t.is_empty()).then(|| t[i % t.len()].code.clone())
}

fn child_data(state: &AppState, i: usize, k: usize, county: &str, today: NaiveDate) -> ChildData {
    let n = i * 3 + k;
    let age_days = 200 + (n * 389) % (15 * 365);
    let birth = today - Duration::days(age_days as i64);
    let since = today - Duration::days((60 + (n * 97) % 1400) as i64);
    let since = since.max(birth);
    let facts = Facts {
        birth_date: Some(birth),
        hukou_region_code: Some(HUKOU[n % HUKOU.len()].to_owned()),
        residence_region_code: Some(county.to_owned()),
        residence_since: Some(since),
        moved_with_guardian: (!n.is_multiple_of(11)).then_some(true),
        has_residence_permit: Some(!n.is_multiple_of(3)),
        residence_permit_since: (!n.is_multiple_of(3)).then_some(since),
        enrolled_in_school_at_residence: Some(age_days > 6 * 365),
        family_economic_hardship: Some(n.is_multiple_of(7)),
        ..Facts::default()
    };
    ChildData {
        name: format!("{}{}", ["王", "李", "张", "刘", "陈", "杨"][i % 6], NAMES[n % NAMES.len()]),
        sex: if n.is_multiple_of(2) { "female" } else { "male" }.into(),
        birth_date: birth,
        id_number: None,
        residence_region_code: county.to_owned(),
        residence_township_code: township(state, county, n),
        residence_permit_number: None,
        details: ChildDetails {
            facts,
            moved_with: Some(if n.is_multiple_of(4) { "both_parents" } else { "mother" }.into()),
            ..ChildDetails::default()
        },
    }
}

/// Moves a submitted request to the status its index asks for, as staff and family would.
async fn work(state: &AppState, hash: &str, family: &Viewer, r: &requests::RequestView, i: usize) -> AppResult<()> {
    let id = r.request.id;
    let desk = staff(state, hash, &r.request.department_code, &r.request.region_code).await?;
    match i % 7 {
        0 => {}
        6 => {
            requests::withdraw(state, family, id).await?;
        }
        step => {
            requests::claim(state, &desk, id).await?;
            if (2..=3).contains(&step) {
                requests::ask_for_information(state, &desk, id, note("请补充居住证复印件")?).await?;
            }
            if step == 3 {
                requests::answer(state, family, id, note("已上传居住证复印件")?).await?;
            }
            if step == 4 {
                requests::resolve(state, &desk, id, true, note("符合条件，已安排")?).await?;
            }
            if step == 5 {
                requests::resolve(state, &desk, id, false, note("居住时间不满六个月（措施（一））")?).await?;
            }
        }
    }
    Ok(())
}

/// Populates the demo province once; `None` when it already exists.
pub async fn populate(state: &AppState, admin: &Viewer) -> AppResult<Option<Summary>> {
    let marker = "family000@demo.tongxin";
    if account::Entity::find().filter(account::Column::Email.eq(marker)).one(&state.db).await?.is_some() {
        return Ok(None);
    }
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
    let today = state.clock.today();
    let mut s = Summary { children: 0, requests: 0, key_care: 0, bookings: 0 };
    let mut kids: Vec<(Viewer, Uuid, String, NaiveDate)> = Vec::new();
    for i in 0..FAMILIES {
        let county = COUNTIES[i % COUNTIES.len()];
        let id = account(state, &format!("family{i:03}@demo.tongxin"), &hash, Role::Guardian, None, None).await?;
        let g = viewer(id, Role::Guardian, None, None);
        families::create_household(state, &g).await?;
        families::give_consent(state, &g, Purpose::BasicServices, None, CONSENT_TEXT_VERSION).await?;
        for k in 0..(1 + i % 3) {
            let data = child_data(state, i, k, county, today);
            let birth = data.birth_date;
            let c = children::add_child(state, &g, data, None).await?;
            s.children += 1;
            kids.push((g.clone(), c.id, county.to_owned(), birth));
        }
    }
    // Requests: every other child asks for the school place, kindergarten place or allowance
    // that fits its age, and staff work them into every status.
    for (n, (g, child, _, birth)) in kids.iter().enumerate().filter(|(n, _)| n.is_multiple_of(2)) {
        let age = domain::calendar::age_on(*birth, today);
        let code = match age {
            3..=5 => "kindergarten",
            6..=15 => "school_enrolment",
            _ => "dibao_residence",
        };
        let sub = Submission {
            child_id: *child,
            entitlement_code: code.into(),
            details: "演示申请".into(),
            idempotency_key: IdempotencyKey::parse(&format!("demo-{n}")).on("idempotencyKey")?,
        };
        let r = requests::submit(state, g, sub).await?;
        s.requests += 1;
        work(state, &hash, g, &r, n / 2).await?;
    }
    // Children found in screening by each county's child director.
    for (c, county) in COUNTIES.iter().enumerate() {
        let Some(town) = township(state, county, 0) else { continue };
        let did = account(state, &format!("director.{town}@demo.tongxin"), &hash, Role::ChildDirector, None, Some(&town)).await?;
        let director = viewer(did, Role::ChildDirector, None, Some(&town));
        for k in 0..8 {
            let mut data = child_data(state, 500 + c * 8 + k, 0, county, today);
            data.residence_township_code = Some(town.clone());
            let paper =
                PaperConsent {
                    signed_by: "监护人（纸质签字）".into(), signed_on: today, text_version: CONSENT_TEXT_VERSION.into()
                };
            register::register_screened(state, &director, data, paper).await?;
            s.children += 1;
        }
    }
    // The key-care ledger: every ninth child, assessed across the levels, with care measures.
    let reasons = [
        KeyCareReason::FamilyHardship,
        KeyCareReason::GuardianshipAbsent,
        KeyCareReason::PsychologicalOrBehavioural,
        KeyCareReason::Disability,
    ];
    let rubric = state.reference.rubric.clone();
    for (n, (_, child, county, _)) in kids.iter().enumerate().filter(|(n, _)| n.is_multiple_of(9)) {
        let ca = staff(state, &hash, "civil_affairs", county).await?;
        let ca = Viewer { department_code: None, ..ca };
        if key_care::add(state, &ca, *child, vec![reasons[n % reasons.len()]]).await.is_err() {
            continue;
        }
        s.key_care += 1;
        let level = (n / 9) % 3;
        let answers = rubric.criteria.iter().enumerate().map(|(j, c)| (c.code.clone(), if j < 2 { level } else { 0 })).collect();
        key_care::assess(state, &ca, *child, Assessment { expected_version: 1, answers, note: Some("入户评估".into()) }).await?;
        if let Some(town) = township(state, county, n) {
            let due_on = today + Duration::days(if n.is_multiple_of(2) { 14 } else { 30 });
            let m = NewMeasure {
                child_id: *child,
                department_code: "education".into(),
                township_code: town,
                description: "学校每周关注与家访".into(),
                due_on,
            };
            key_care::assign(state, &ca, m).await?;
        }
    }
    s.bookings = directory_and_bookings(state, admin, &hash, &kids).await?;
    Ok(Some(s))
}

/// A verified organization in 南明区 with a reading service and a counselling service, sessions
/// next week, and children booked (some waitlisted).
async fn directory_and_bookings(
    state: &AppState,
    admin: &Viewer,
    hash: &str,
    kids: &[(Viewer, Uuid, String, NaiveDate)],
) -> AppResult<usize> {
    let _ = admin;
    let code = {
        let body = "52520100000000901";
        let check = domain::credit_code::check_char(body).unwrap_or('0');
        format!("{body}{check}")
    };
    let org = directory::register_organization(
        state,
        NewOrganization {
            name: Line::parse("南明区童心社会工作服务中心").on("name")?,
            credit_code: CreditCode::parse(&code).on("creditCode")?,
            contact_name: accounts::parse_name("陈社工", "contactName")?,
            contact_phone: "0851-8888 1234".into(),
            email: accounts::parse_email("org@demo.tongxin")?,
            password: DEMO_PASSWORD.into(),
            address: Line::parse("贵阳市南明区新华路 1 号").on("address")?,
            county_code: directory::guizhou_county(state, "520102", "countyCode")?,
        },
        None,
    )
    .await?;
    let ca = staff(state, hash, "civil_affairs", "520102").await?;
    directory::review_organization(state, &Viewer { department_code: None, ..ca }, org.id, true, None).await?;
    account::Entity::update_many()
        .col_expr(account::Column::EmailVerifiedAt, sea_orm::sea_query::Expr::value(state.clock.now()))
        .filter(account::Column::Email.eq("org@demo.tongxin"))
        .exec(&state.db)
        .await?;
    let staff_row = account::Entity::find().filter(account::Column::Email.eq("org@demo.tongxin")).one(&state.db).await?;
    let Some(staff_row) = staff_row else { return Ok(0) };
    let org_viewer = Viewer { organization_id: Some(org.id), ..viewer(staff_row.id, Role::OrgStaff, None, None) };
    let loc = directory::create_location(
        state,
        &org_viewer,
        NewLocation {
            name: "新华路童心港湾".into(),
            kind: "tongxin_harbor".into(),
            address: "新华路 1 号".into(),
            county_code: "520102".into(),
            township_code: township(state, "520102", 0),
            latitude: Some(26.57),
            longitude: Some(106.71),
        },
    )
    .await?;
    let mut booked = 0;
    for (name, category, entitlement, capacity) in
        [("周末阅读营", "reading", "cultural_services", 12), ("成长心理辅导", "counselling", "mental_health", 4)]
    {
        let svc = directory::create_service(
            state,
            &org_viewer,
            NewService {
                location_id: loc.id,
                name: name.into(),
                description: "面向流动儿童的公益服务".into(),
                category: category.into(),
                entitlement_code: entitlement.into(),
                min_age: 6,
                max_age: 15,
                languages: vec!["zh".into()],
                cost_cents: 0,
                cancel_cutoff_hours: 24,
            },
        )
        .await?;
        let start = state.clock.now() + Duration::days(7);
        let sess = directory::create_session(state, &org_viewer, svc.id, start, start + Duration::hours(2), capacity).await?;
        let today = state.clock.today();
        for (g, child, _, birth) in
            kids.iter().filter(|k| k.2 == "520102" && (6..=15).contains(&domain::calendar::age_on(k.3, today))).take(16)
        {
            let _ = birth;
            if bookings::book(state, g, sess.id, *child, true, None).await.is_ok() {
                booked += 1;
            }
        }
    }
    Ok(booked)
}

/// A demo note, as the API would parse it.
fn note(text: &str) -> AppResult<requests::Note> {
    requests::Note::parse(text).on("note")
}
