//! Validation of a child's record before anything is written: the ID number's check character and
//! embedded birth date, real region codes and consistent dates (the sensitive-data consent rule is
//! `consent::check_sensitive`).
//!
//! Why before: an ID number is encrypted at rest, so a typo stored today can never be spotted by a
//! person later.

use domain::{
    date_windows,
    identity::{IdNumber, IdNumberError},
    regions::Level,
};

use crate::{
    error::{AppError, AppResult, Msg},
    services::{child_record::ChildData, text},
    state::AppState,
};

fn invalid(field: &str, zh: &'static str, en: &'static str) -> AppError {
    AppError::validation(field, zh, en)
}

/// Checks a record against the ID check character, the calendar and the region codes.
pub(crate) fn validate(state: &AppState, mut data: ChildData) -> AppResult<(ChildData, Option<IdNumber>)> {
    let divisions = &state.reference.divisions();
    let today = state.clock.today();
    data.name = text::line(&data.name, "name", 100)?;
    if !date_windows::is_plausible_birth(data.birth_date, today) {
        return Err(invalid(
            "birthDate",
            "出生日期须在今天及之前的 18 年之内（未成年人）",
            "the birth date must be within the last 18 years (a minor) and not in the future",
        ));
    }
    let res = data.residence_region_code.trim().to_owned();
    if !divisions.is_county(&res) || !divisions.in_guizhou(&res) {
        return Err(invalid(
            "residenceRegionCode",
            "现居住地须为贵州省内的县级行政区划代码",
            "the residence must be a county-level division code in Guizhou",
        ));
    }
    if let Some(t) = data.residence_township_code.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let ok = divisions.get(t).is_some_and(|d| d.level == Level::Township) && divisions.county_of(t).is_some_and(|c| c.code == res);
        if !ok {
            return Err(invalid(
                "residenceTownshipCode",
                "乡镇（街道）代码不存在或不属于所填居住县",
                "the township code does not exist or is not in the county of residence",
            ));
        }
        data.residence_township_code = Some(t.to_owned());
    } else {
        data.residence_township_code = None;
    }
    data.residence_region_code = res.clone();
    let f = &mut data.details.facts;
    f.birth_date = Some(data.birth_date);
    f.residence_region_code = Some(res);
    domain::eligibility::validate(f, divisions, today)
        .map_err(|e| AppError::Validation { field: e.field, msg: Msg::owned(e.message_zh, e.message_en) })?;
    if f.residence_since.is_some_and(|s| s > today) {
        return Err(invalid("residenceSince", "开始居住日期不能晚于今天", "the residence start cannot be in the future"));
    }
    if let Some(e) = data.details.residence_permit_endorsed_on
        && (e > today || f.residence_permit_since.is_some_and(|p| e < p))
    {
        return Err(invalid(
            "residencePermitEndorsedOn",
            "签注日期须在居住证办理日期之后且不晚于今天",
            "the endorsement date must be after the permit's issue date and not in the future",
        ));
    }
    match data.details.moved_with.as_deref() {
        None => {}
        Some("no_guardian") if f.moved_with_guardian == Some(true) => {
            return Err(invalid("movedWith", "随迁情况与“随监护人迁移”矛盾", "movedWith contradicts movedWithGuardian"));
        }
        Some("no_guardian") => f.moved_with_guardian = Some(false),
        Some(_) if f.moved_with_guardian == Some(false) => {
            return Err(invalid("movedWith", "随迁情况与“随监护人迁移”矛盾", "movedWith contradicts movedWithGuardian"));
        }
        Some(_) => f.moved_with_guardian = Some(true),
    }
    data.residence_permit_number = data.residence_permit_number.map(|p| p.trim().to_uppercase()).filter(|p| !p.is_empty());
    if let Some(p) = &data.residence_permit_number {
        if p.len() > 40 || !p.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(invalid("residencePermitNumber", "居住证号格式不正确", "malformed residence permit number"));
        }
        if f.has_residence_permit == Some(false) {
            return Err(invalid("residencePermitNumber", "未持有居住证却填写了居住证号", "a permit number is given but no permit is held"));
        }
        f.has_residence_permit = Some(true);
    }
    data.details.school_name = text::optional_line(data.details.school_name.as_deref(), "schoolName", 100)?;
    let id = match data.id_number.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => {
            let id = IdNumber::parse(raw).map_err(|e| match e {
                IdNumberError::Format => {
                    invalid("idNumber", "身份证号应为 17 位数字加 1 位校验码", "an ID number has 17 digits and a check character")
                }
                IdNumberError::CheckCharacter => {
                    invalid("idNumber", "身份证号校验码不正确，请核对", "the ID number's check character is wrong: please check it")
                }
                IdNumberError::BirthDate => {
                    invalid("idNumber", "身份证号中的出生日期无效", "the ID number contains an impossible birth date")
                }
            })?;
            if !id.region_exists(divisions) {
                return Err(invalid(
                    "idNumber",
                    "身份证号前六位不是存在的行政区划代码，请核对",
                    "the ID number's first six digits are not a real region code: please check it",
                ));
            }
            if id.birth_date() != Some(data.birth_date) {
                return Err(invalid(
                    "idNumber",
                    "身份证号中的出生日期与所填出生日期不一致",
                    "the birth date in the ID number does not match the birth date given",
                ));
            }
            Some(id)
        }
    };
    data.id_number = None;
    Ok((data, id))
}
