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

    /// A plain statement of a yes/no fact's value for families, with `{residence}` / `{hukou}`
    /// placeholders: (zh yes, zh no, en yes, en no). `None` for facts that are not yes/no.
    pub(crate) const fn plain(self) -> Option<(&'static str, &'static str, &'static str, &'static str)> {
        Some(match self {
            F::MovedWithGuardian => (
                "孩子是随父母或其他监护人离开户籍地的",
                "孩子不是随父母或其他监护人离开户籍地的",
                "the child left the hukou place with a parent or guardian",
                "the child did not leave the hukou place with a parent or guardian",
            ),
            F::HasResidencePermit => {
                ("孩子持有居住证", "孩子还没有居住证", "the child has a residence permit", "the child has no residence permit yet")
            }
            F::EnrolledInSchoolAtResidence => (
                "孩子在{residence}上学",
                "孩子没有在{residence}上学",
                "the child attends a school in {residence}",
                "the child does not attend a school in {residence}",
            ),
            F::MeetsResidenceDibaoTest => (
                "家庭符合{residence}的低保条件",
                "家庭不符合{residence}的低保条件",
                "the family meets the minimum-living-allowance conditions of {residence}",
                "the family does not meet the minimum-living-allowance conditions of {residence}",
            ),
            F::MeetsHukouDibaoTest => (
                "家庭符合户籍地{hukou}的低保条件",
                "家庭不符合户籍地{hukou}的低保条件",
                "the family meets the minimum-living-allowance conditions of its hukou place {hukou}",
                "the family does not meet the minimum-living-allowance conditions of its hukou place {hukou}",
            ),
            F::FamilyEconomicHardship => {
                ("家庭经济困难", "家庭没有经济困难", "the family is in economic hardship", "the family is not in economic hardship")
            }
            F::SuddenHardship => (
                "家庭遇到了突发的生活困难",
                "家庭没有遇到突发的生活困难",
                "the family has met a sudden hardship",
                "the family has not met a sudden hardship",
            ),
            F::HasDisabilityCertificate => (
                "孩子持有残疾人证",
                "孩子没有残疾人证",
                "the child has a disability certificate",
                "the child has no disability certificate",
            ),
            F::OrphanOrUnsupported => (
                "孩子是孤儿或事实无人抚养儿童",
                "孩子不是孤儿或事实无人抚养儿童",
                "the child is an orphan or has in fact nobody to support them",
                "the child is not an orphan and has someone to support them",
            ),
            F::SeriousIllness => {
                ("孩子患有重大疾病", "孩子没有重大疾病", "the child has a serious illness", "the child has no serious illness")
            }
            F::DiagnosedMentalDisorder => (
                "孩子确诊了精神疾病",
                "孩子没有确诊精神疾病",
                "the child has a diagnosed mental disorder",
                "the child has no diagnosed mental disorder",
            ),
            F::GuardianshipAbsent => (
                "孩子身边没有人监护",
                "孩子有人监护",
                "nobody is looking after the child as guardian",
                "the child has a guardian looking after them",
            ),
            F::MeetsHousingSupportConditions => (
                "家庭符合{residence}的住房保障条件",
                "家庭不符合{residence}的住房保障条件",
                "the family meets the housing-support conditions of {residence}",
                "the family does not meet the housing-support conditions of {residence}",
            ),
            _ => return None,
        })
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
