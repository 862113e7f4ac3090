//! The facts a screening reads, their API names and labels, and input validation.
//!
//! Why a closed catalog: the policy file names facts by their API (camelCase) names, and the
//! loader rejects a name that is not in [`FactId::ALL`], so a typo in the policy data fails at
//! start-up with a line number instead of silently yielding `NEEDS_INFO` forever.
//!
//! Why beside the engine and the policy rather than inside either: the policy compiler resolves
//! fact names and the engine reads fact values, so both depend on this vocabulary and neither on
//! the other through it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::language::Lang;
use crate::regions::Divisions;

mod plain;

/// Everything the screener may know about a child. Every field is optional: an unknown fact
/// yields `NEEDS_INFO` for the rules that read it, never a guess.
#[derive(Default, Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Facts {
    pub birth_date: Option<NaiveDate>,
    /// County-level GB/T 2260 code of the hukou place (anywhere in China).
    pub hukou_region_code: Option<String>,
    /// County-level code of the place the child lives now.
    pub residence_region_code: Option<String>,
    /// Day the child started living at the residence place.
    pub residence_since: Option<NaiveDate>,
    pub moved_with_guardian: Option<bool>,
    pub has_residence_permit: Option<bool>,
    pub residence_permit_since: Option<NaiveDate>,
    pub enrolled_in_school_at_residence: Option<bool>,
    pub meets_residence_dibao_test: Option<bool>,
    pub meets_hukou_dibao_test: Option<bool>,
    pub family_economic_hardship: Option<bool>,
    pub sudden_hardship: Option<bool>,
    pub has_disability_certificate: Option<bool>,
    /// 1 (most severe) … 4.
    pub disability_grade: Option<u8>,
    pub orphan_or_unsupported: Option<bool>,
    pub serious_illness: Option<bool>,
    pub diagnosed_mental_disorder: Option<bool>,
    pub guardianship_absent: Option<bool>,
    pub meets_housing_support_conditions: Option<bool>,
}

/// The kind of value a fact holds; conditions check that they read a fact of the right kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactKind {
    Bool,
    Date,
    Region,
    Number,
}

/// Identifies one field of [`Facts`]; `as usize` is its bit in a missing-facts mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FactId {
    BirthDate,
    HukouRegionCode,
    ResidenceRegionCode,
    ResidenceSince,
    MovedWithGuardian,
    HasResidencePermit,
    ResidencePermitSince,
    EnrolledInSchoolAtResidence,
    MeetsResidenceDibaoTest,
    MeetsHukouDibaoTest,
    FamilyEconomicHardship,
    SuddenHardship,
    HasDisabilityCertificate,
    DisabilityGrade,
    OrphanOrUnsupported,
    SeriousIllness,
    DiagnosedMentalDisorder,
    GuardianshipAbsent,
    MeetsHousingSupportConditions,
}

/// A fact's value as read by a condition.
#[derive(Debug, Clone, Copy)]
pub enum FactValue<'a> {
    Bool(Option<bool>),
    Date(Option<NaiveDate>),
    Region(Option<&'a str>),
    Number(Option<u8>),
}

impl FactValue<'_> {
    /// Whether the fact was given, whatever its value.
    pub fn is_known(self) -> bool {
        match self {
            FactValue::Bool(v) => v.is_some(),
            FactValue::Date(v) => v.is_some(),
            FactValue::Region(v) => v.is_some(),
            FactValue::Number(v) => v.is_some(),
        }
    }
}

use FactId as F;

impl FactId {
    /// Every fact, in API order.
    pub const ALL: [FactId; 19] = [
        F::BirthDate,
        F::HukouRegionCode,
        F::ResidenceRegionCode,
        F::ResidenceSince,
        F::MovedWithGuardian,
        F::HasResidencePermit,
        F::ResidencePermitSince,
        F::EnrolledInSchoolAtResidence,
        F::MeetsResidenceDibaoTest,
        F::MeetsHukouDibaoTest,
        F::FamilyEconomicHardship,
        F::SuddenHardship,
        F::HasDisabilityCertificate,
        F::DisabilityGrade,
        F::OrphanOrUnsupported,
        F::SeriousIllness,
        F::DiagnosedMentalDisorder,
        F::GuardianshipAbsent,
        F::MeetsHousingSupportConditions,
    ];

    /// (API name, kind, zh label, en label).
    const fn info(self) -> (&'static str, FactKind, &'static str, &'static str) {
        use FactKind::*;
        match self {
            F::BirthDate => ("birthDate", Date, "出生日期", "date of birth"),
            F::HukouRegionCode => ("hukouRegionCode", Region, "户籍所在县（市、区）", "hukou county"),
            F::ResidenceRegionCode => ("residenceRegionCode", Region, "现居住县（市、区）", "county of residence"),
            F::ResidenceSince => ("residenceSince", Date, "来居住地居住的起始日期", "date the child began living at the residence"),
            F::MovedWithGuardian => ("movedWithGuardian", Bool, "是否随父母或其他监护人离开户籍地", "moved with a parent or guardian"),
            F::HasResidencePermit => ("hasResidencePermit", Bool, "是否持有居住证", "holds a residence permit"),
            F::ResidencePermitSince => ("residencePermitSince", Date, "居住证办理日期", "residence permit issue date"),
            F::EnrolledInSchoolAtResidence => {
                ("enrolledInSchoolAtResidence", Bool, "是否在居住地学校就读", "enrolled in a school at the residence")
            }
            F::MeetsResidenceDibaoTest => (
                "meetsResidenceDibaoTest",
                Bool,
                "家庭是否符合居住地最低生活保障条件",
                "whether the family meets the minimum-living-allowance conditions of the residence place",
            ),
            F::MeetsHukouDibaoTest => (
                "meetsHukouDibaoTest",
                Bool,
                "家庭是否符合户籍地最低生活保障条件",
                "whether the family meets the minimum-living-allowance conditions of the hukou place",
            ),
            F::FamilyEconomicHardship => ("familyEconomicHardship", Bool, "家庭是否经济困难", "whether the family is in economic hardship"),
            F::SuddenHardship => ("suddenHardship", Bool, "是否遭遇突发性、临时性生活困难", "sudden or temporary hardship"),
            F::HasDisabilityCertificate => ("hasDisabilityCertificate", Bool, "是否持有残疾人证", "holds a disability certificate"),
            F::DisabilityGrade => ("disabilityGrade", Number, "残疾等级", "disability grade"),
            F::OrphanOrUnsupported => ("orphanOrUnsupported", Bool, "是否为孤儿或事实无人抚养儿童", "orphan or de-facto unsupported child"),
            F::SeriousIllness => ("seriousIllness", Bool, "是否患重特大疾病", "serious or major illness"),
            F::DiagnosedMentalDisorder => ("diagnosedMentalDisorder", Bool, "是否确诊精神障碍", "diagnosed mental disorder"),
            F::GuardianshipAbsent => ("guardianshipAbsent", Bool, "是否监护缺失", "guardianship absent"),
            F::MeetsHousingSupportConditions => {
                ("meetsHousingSupportConditions", Bool, "家庭是否符合当地住房保障条件", "family meets local housing-support conditions")
            }
        }
    }

    /// The camelCase API name, as used by `ScreeningInput` and the policy file.
    pub const fn api_name(self) -> &'static str {
        self.info().0
    }

    /// What kind of value the fact holds.
    pub const fn kind(self) -> FactKind {
        self.info().1
    }

    /// Human label in `lang`, used in traces and "please provide" messages.
    pub const fn label(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.info().2,
            Lang::En => self.info().3,
        }
    }

    /// Whether the fact is sensitive personal information (health, disability, mental health;
    /// PIPL art. 28): stored and processed only under a separate `SENSITIVE_DATA` consent. The
    /// one table of sensitivity: consent checks, stripping and the access log read it.
    pub const fn is_sensitive(self) -> bool {
        matches!(self, F::HasDisabilityCertificate | F::DisabilityGrade | F::SeriousIllness | F::DiagnosedMentalDisorder)
    }

    /// The sensitive facts, in catalog order.
    pub fn sensitive() -> impl Iterator<Item = FactId> {
        FactId::ALL.into_iter().filter(|f| f.is_sensitive())
    }

    /// Looks a fact up by its API name.
    pub fn from_api_name(name: &str) -> Option<FactId> {
        FactId::ALL.into_iter().find(|f| f.api_name() == name)
    }

    /// Bit of this fact in a missing-facts mask.
    pub(crate) const fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

impl Facts {
    /// Reads one fact.
    pub fn get(&self, id: FactId) -> FactValue<'_> {
        use FactValue::*;
        match id {
            F::BirthDate => Date(self.birth_date),
            F::HukouRegionCode => Region(self.hukou_region_code.as_deref()),
            F::ResidenceRegionCode => Region(self.residence_region_code.as_deref()),
            F::ResidenceSince => Date(self.residence_since),
            F::MovedWithGuardian => Bool(self.moved_with_guardian),
            F::HasResidencePermit => Bool(self.has_residence_permit),
            F::ResidencePermitSince => Date(self.residence_permit_since),
            F::EnrolledInSchoolAtResidence => Bool(self.enrolled_in_school_at_residence),
            F::MeetsResidenceDibaoTest => Bool(self.meets_residence_dibao_test),
            F::MeetsHukouDibaoTest => Bool(self.meets_hukou_dibao_test),
            F::FamilyEconomicHardship => Bool(self.family_economic_hardship),
            F::SuddenHardship => Bool(self.sudden_hardship),
            F::HasDisabilityCertificate => Bool(self.has_disability_certificate),
            F::DisabilityGrade => Number(self.disability_grade),
            F::OrphanOrUnsupported => Bool(self.orphan_or_unsupported),
            F::SeriousIllness => Bool(self.serious_illness),
            F::DiagnosedMentalDisorder => Bool(self.diagnosed_mental_disorder),
            F::GuardianshipAbsent => Bool(self.guardianship_absent),
            F::MeetsHousingSupportConditions => Bool(self.meets_housing_support_conditions),
        }
    }

    /// Clears one fact (used by tests and by "what if we did not know" explanations).
    pub fn clear(&mut self, id: FactId) {
        match id {
            F::BirthDate => self.birth_date = None,
            F::HukouRegionCode => self.hukou_region_code = None,
            F::ResidenceRegionCode => self.residence_region_code = None,
            F::ResidenceSince => self.residence_since = None,
            F::MovedWithGuardian => self.moved_with_guardian = None,
            F::HasResidencePermit => self.has_residence_permit = None,
            F::ResidencePermitSince => self.residence_permit_since = None,
            F::EnrolledInSchoolAtResidence => self.enrolled_in_school_at_residence = None,
            F::MeetsResidenceDibaoTest => self.meets_residence_dibao_test = None,
            F::MeetsHukouDibaoTest => self.meets_hukou_dibao_test = None,
            F::FamilyEconomicHardship => self.family_economic_hardship = None,
            F::SuddenHardship => self.sudden_hardship = None,
            F::HasDisabilityCertificate => self.has_disability_certificate = None,
            F::DisabilityGrade => self.disability_grade = None,
            F::OrphanOrUnsupported => self.orphan_or_unsupported = None,
            F::SeriousIllness => self.serious_illness = None,
            F::DiagnosedMentalDisorder => self.diagnosed_mental_disorder = None,
            F::GuardianshipAbsent => self.guardianship_absent = None,
            F::MeetsHousingSupportConditions => self.meets_housing_support_conditions = None,
        }
    }
}

/// A fact that cannot be right; the API reports it as `VALIDATION` with `extensions.field`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{field}: {message_en}")]
pub struct FactError {
    /// camelCase API field name (`asOf` when no policy is in force on the date).
    pub field: String,
    pub message_zh: String,
    pub message_en: String,
}

impl FactError {
    pub(crate) fn new(field: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        FactError { field: field.to_string(), message_zh: zh.into(), message_en: en.into() }
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.message_zh,
            Lang::En => &self.message_en,
        }
    }
}

/// Rejects facts that contradict themselves or the calendar; the first problem wins.
pub fn validate(facts: &Facts, divisions: &Divisions, as_of: NaiveDate) -> Result<(), FactError> {
    if let Some(b) = facts.birth_date
        && b > as_of
    {
        return Err(FactError::new(
            "birthDate",
            format!("出生日期 {b} 晚于查询日期 {as_of}"),
            format!("birth date {b} is after the as-of date {as_of}"),
        ));
    }
    for (field, code) in [("hukouRegionCode", &facts.hukou_region_code), ("residenceRegionCode", &facts.residence_region_code)] {
        if let Some(c) = code
            && !divisions.is_county(c)
        {
            return Err(FactError::new(
                field,
                format!("“{c}”不是县级行政区划代码（应为6位县、县级市或市辖区代码）"),
                format!("`{c}` is not a county-level division code (expected a 6-digit county, county-level city or district code)"),
            ));
        }
    }
    if let (Some(b), Some(s)) = (facts.birth_date, facts.residence_since)
        && s < b
    {
        return Err(FactError::new(
            "residenceSince",
            format!("开始居住日期 {s} 早于出生日期 {b}"),
            format!("residence start {s} is before the birth date {b}"),
        ));
    }
    if let Some(p) = facts.residence_permit_since {
        if let Some(b) = facts.birth_date
            && p < b
        {
            return Err(FactError::new(
                "residencePermitSince",
                format!("居住证办理日期 {p} 早于出生日期 {b}"),
                format!("residence permit date {p} is before the birth date {b}"),
            ));
        }
        if p > as_of {
            return Err(FactError::new(
                "residencePermitSince",
                format!("居住证办理日期 {p} 晚于查询日期 {as_of}"),
                format!("residence permit date {p} is after the as-of date {as_of}"),
            ));
        }
    }
    if let Some(g) = facts.disability_grade
        && !(1..=4).contains(&g)
    {
        return Err(FactError::new(
            "disabilityGrade",
            format!("残疾等级 {g} 无效，应为1至4级"),
            format!("disability grade {g} is invalid: it must be 1 to 4"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{FactId, Facts};

    #[test]
    fn health_and_disability_are_the_sensitive_facts_and_clear_as_a_whole() {
        let names: Vec<&str> = FactId::sensitive().map(FactId::api_name).collect();
        assert_eq!(names, ["hasDisabilityCertificate", "disabilityGrade", "seriousIllness", "diagnosedMentalDisorder"]);
        let mut f = Facts { serious_illness: Some(false), disability_grade: Some(2), sudden_hardship: Some(true), ..Facts::default() };
        let known: Vec<&str> = FactId::sensitive().filter(|id| f.get(*id).is_known()).map(FactId::api_name).collect();
        assert_eq!(known, ["disabilityGrade", "seriousIllness"], "a `false` is known too");
        FactId::sensitive().for_each(|id| f.clear(id));
        assert_eq!(f, Facts { sudden_hardship: Some(true), ..Facts::default() });
    }
}
