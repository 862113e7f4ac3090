//! The working-day calendar is data the operator updates without a rebuild: read from
//! `CALENDAR_FILE` at start, reloaded by `reloadCalendar` (or SIGHUP); an invalid file changes
//! nothing; `/readyz` and `workCalendar` say when it does not reach 60 days ahead.
//!
//! The calendars here are written by the test around the server's today, so the scenarios hold
//! whatever day the suite runs on; their holidays are made up.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use integration_tests::{TestApp, code, field};
use serde_json::{Value, json};

/// A calendar file of `years` with `holidays`.
fn calendar(years: &[i32], holidays: &[NaiveDate]) -> String {
    years
        .iter()
        .map(|y| {
            let days: Vec<String> = holidays.iter().filter(|d| d.year() == *y).map(|d| format!("\"{d}\"")).collect();
            format!("[[year]]\nyear = {y}\nholidays = [{}]\nworkdays = []\n", days.join(", "))
        })
        .collect()
}

/// The five weekdays of the week starting on the second Monday after `today`: inside the 20
/// working days of a request submitted today.
fn holiday_week(today: NaiveDate) -> Vec<NaiveDate> {
    let mut monday = today + Duration::days(8);
    while monday.weekday() != Weekday::Mon {
        monday += Duration::days(1);
    }
    (0..5).map(|i| monday + Duration::days(i)).collect()
}

async fn due_of_new_request(app: &TestApp, g: &str) -> NaiveDate {
    let child = app.child(g).born("2019-03-10").hukou("520304").lives_in("520102").await;
    let key = uuid::Uuid::new_v4().to_string();
    let r = app
        .gql(
            Some(g),
            "mutation($i: SubmitRequestInput!){ submitRequest(input: $i){ dueAt } }",
            json!({"i": {"childId": child, "entitlementCode": "school_enrolment", "idempotencyKey": key}}),
        )
        .await;
    let due = r["data"]["submitRequest"]["dueAt"].as_str().unwrap_or_else(|| panic!("{r}"));
    let due = chrono::DateTime::parse_from_rfc3339(due).expect("dueAt");
    (due + Duration::hours(8)).date_naive() // the deadline day in China
}

async fn work_calendar(app: &TestApp) -> Value {
    app.gql(None, "{ workCalendar { coveredUntil coversNext60Days } }", json!({})).await["data"]["workCalendar"].clone()
}

#[tokio::test]
async fn a_holiday_week_added_at_run_time_moves_the_next_deadline_by_a_week() {
    let dir = tempdir();
    let file = dir.join("holidays.toml");
    let today = chrono::Utc::now().date_naive();
    let years = [today.year(), today.year() + 1];
    std::fs::write(&file, calendar(&years, &[])).expect("write");
    let app = TestApp::spawn_with(|c| c.calendar_file = file.clone()).await;
    let today = app.state.clock.today();
    let g = app.guardian("cal@example.org").await;
    let before = due_of_new_request(&app, &g).await;

    std::fs::write(&file, calendar(&years, &holiday_week(today))).expect("write");
    let admin = app.admin_token().await;
    let r = app.gql(Some(&admin), "mutation { reloadCalendar { coveredUntil coversNext60Days } }", json!({})).await;
    assert_eq!(r["data"]["reloadCalendar"]["coveredUntil"], format!("{}-12-31", years[1]), "{r}");
    let after = due_of_new_request(&app, &g).await;
    assert_eq!(after - before, Duration::days(7), "five holidays inside the window push the deadline a week");
    assert!(!holiday_week(today).contains(&after));

    // A server started on the new file computes the same deadline from the start.
    let restarted = TestApp::spawn_with(|c| c.calendar_file = file.clone()).await;
    let g2 = restarted.guardian("cal2@example.org").await;
    assert_eq!(due_of_new_request(&restarted, &g2).await, after);
}

#[tokio::test]
async fn an_invalid_calendar_changes_nothing_and_only_admins_reload() {
    let dir = tempdir();
    let file = dir.join("holidays.toml");
    let year = chrono::Utc::now().year();
    std::fs::write(&file, calendar(&[year, year + 1], &[])).expect("write");
    let app = TestApp::spawn_with(|c| c.calendar_file = file.clone()).await;
    let before = work_calendar(&app).await;

    std::fs::write(&file, format!("[[year]]\nyear = {year}\nholidays = [\"{}-01-01\"]\nworkdays = []\n", year + 5)).expect("write");
    let admin = app.admin_token().await;
    let r = app.gql_lang(Some(&admin), "en", "mutation { reloadCalendar { coveredUntil } }", json!({})).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "calendarFile"), "{r}");
    assert!(r["errors"][0]["message"].as_str().unwrap_or_default().contains("listed under year"), "{r}");
    assert_eq!(work_calendar(&app).await, before, "the calendar in force stays");

    let g = app.guardian("not-admin@example.org").await;
    assert_eq!(code(&app.gql(Some(&g), "mutation { reloadCalendar { coveredUntil } }", json!({})).await), "FORBIDDEN");
    assert_eq!(code(&app.gql(None, "mutation { reloadCalendar { coveredUntil } }", json!({})).await), "UNAUTHENTICATED");
}

#[tokio::test]
async fn readiness_warns_when_the_calendar_ends_within_sixty_days() {
    let dir = tempdir();
    let file = dir.join("holidays.toml");
    let year = chrono::Utc::now().year();
    std::fs::write(&file, calendar(&[year - 1], &[])).expect("write");
    let app = TestApp::spawn_with(|c| c.calendar_file = file.clone()).await;
    let r = app.http().get(app.url("/readyz")).send().await.expect("readyz");
    assert_eq!(r.status(), 200, "deadlines are still computed: the server stays in rotation");
    assert_eq!(r.headers()["x-calendar-warning"], "true");
    assert!(r.text().await.expect("body").contains(&format!("ends {}-12-31", year - 1)));
    assert_eq!(work_calendar(&app).await["coversNext60Days"], false);

    std::fs::write(&file, calendar(&[year - 1, year, year + 1], &[])).expect("write");
    let admin = app.admin_token().await;
    let r = app.gql(Some(&admin), "mutation { reloadCalendar { coversNext60Days } }", json!({})).await;
    assert_eq!(r["data"]["reloadCalendar"]["coversNext60Days"], true, "{r}");
    let r = app.http().get(app.url("/readyz")).send().await.expect("readyz");
    assert!(r.headers().get("x-calendar-warning").is_none());
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tongxin-cal-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
