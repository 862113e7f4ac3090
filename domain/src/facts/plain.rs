//! Plain statements of the yes/no facts for families (the "why" of an answer).

use super::FactId;
use FactId as F;

impl FactId {
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
}
