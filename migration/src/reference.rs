//! Reference data compiled into the binary: the administrative divisions (National Bureau of
//! Statistics codes as of 2023-06-30, `data/divisions.csv`) and the 23 departments of DOMAIN.md §9.
//! Kept in one place so the migration and the server agree on the same rows.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

/// Source: National Bureau of Statistics, statistical division codes as of 2023-06-30.
pub const DIVISIONS_CSV: &str = include_str!("../../data/divisions.csv");

/// The 23 departments that issued the policy: (code, zh, en). The codes are part of the API contract.
pub const DEPARTMENTS: [(&str, &str, &str); 23] = [
    ("civil_affairs", "民政厅（局）", "Civil Affairs"),
    ("education", "教育厅（局）", "Education"),
    ("public_security", "公安厅（局）", "Public Security"),
    ("health", "卫生健康委", "Health Commission"),
    ("medical_security", "医疗保障局", "Healthcare Security"),
    ("disease_control", "疾病预防控制局", "Disease Control and Prevention"),
    ("housing", "住房城乡建设厅（局）", "Housing and Urban-Rural Development"),
    ("transport", "交通运输厅（局）", "Transport"),
    ("hrss", "人力资源社会保障厅（局）", "Human Resources and Social Security"),
    ("development_reform", "发展改革委", "Development and Reform"),
    ("finance", "财政厅（局）", "Finance"),
    ("justice", "司法厅（局）", "Justice"),
    ("statistics", "统计局", "Statistics"),
    ("sasac", "国资委", "State-owned Assets Supervision"),
    ("radio_tv", "广电局", "Radio and Television"),
    ("cyberspace", "网信办", "Cyberspace Affairs"),
    ("political_legal", "政法委", "Political and Legal Affairs Commission"),
    ("social_work", "社会工作部", "Social Work Department"),
    ("court", "人民法院", "People's Court"),
    ("procuratorate", "人民检察院", "People's Procuratorate"),
    ("youth_league", "团委", "Communist Youth League"),
    ("womens_federation", "妇联", "Women's Federation"),
    ("disabled_federation", "残联", "Disabled Persons' Federation"),
];

/// One row of `divisions.csv`.
#[derive(Debug, serde::Deserialize)]
pub struct DivisionRow {
    /// GB/T 2260 code (6 digits) or township code (9 digits).
    pub code: String,
    /// Official name.
    pub name: String,
    /// province, prefecture, county or township.
    pub level: String,
    /// Empty for provinces.
    pub parent_code: Option<String>,
}

/// Parses the compiled-in divisions file.
pub fn divisions() -> Result<Vec<DivisionRow>, csv::Error> {
    csv::Reader::from_reader(DIVISIONS_CSV.as_bytes()).deserialize().collect()
}

/// Inserts every region and department that is not there yet.
pub async fn seed<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let rows = divisions().map_err(|e| DbErr::Custom(format!("divisions.csv: {e}")))?;
    for chunk in rows.chunks(500) {
        let mut insert = Query::insert();
        insert.into_table("regions").columns(["code", "name", "level", "parent_code"]);
        for r in chunk {
            let parent = r.parent_code.clone().filter(|p| !p.is_empty());
            insert.values_panic([r.code.clone().into(), r.name.clone().into(), r.level.clone().into(), parent.into()]);
        }
        insert.on_conflict(OnConflict::column("code").do_nothing().to_owned());
        db.execute(&insert).await?;
    }
    let mut insert = Query::insert();
    insert.into_table("departments").columns(["code", "name_zh", "name_en", "sort_order"]);
    for (i, (code, zh, en)) in DEPARTMENTS.iter().enumerate() {
        insert.values_panic([(*code).into(), (*zh).into(), (*en).into(), (i as i32).into()]);
    }
    insert.on_conflict(OnConflict::column("code").do_nothing().to_owned());
    db.execute(&insert).await?;
    Ok(())
}
