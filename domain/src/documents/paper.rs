//! The kinds of paper the policy can ask a family for. Why apart from the file checks: the policy
//! loader and the request forms name these kinds, while the checks only look at bytes.

use serde::Serialize;

/// The papers an entitlement can ask for (the policy's `documents` lists these codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    /// 居住证.
    ResidencePermit,
    /// 户口簿页.
    HukouPage,
    /// 残疾证.
    DisabilityCertificate,
    /// 学籍证明.
    SchoolRecord,
    /// 租房合同.
    TenancyContract,
    /// Anything else the caseworker asked for.
    Other,
}

impl DocumentType {
    /// Every type, in the order forms list them.
    pub const ALL: [DocumentType; 6] = [
        DocumentType::ResidencePermit,
        DocumentType::HukouPage,
        DocumentType::DisabilityCertificate,
        DocumentType::SchoolRecord,
        DocumentType::TenancyContract,
        DocumentType::Other,
    ];

    /// The code stored and written in the policy.
    pub fn code(self) -> &'static str {
        match self {
            DocumentType::ResidencePermit => "residence_permit",
            DocumentType::HukouPage => "hukou_page",
            DocumentType::DisabilityCertificate => "disability_certificate",
            DocumentType::SchoolRecord => "school_record",
            DocumentType::TenancyContract => "tenancy_contract",
            DocumentType::Other => "other",
        }
    }

    /// Parses a stored or policy code.
    pub fn parse(code: &str) -> Option<DocumentType> {
        DocumentType::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The name families read, in Chinese.
    pub fn name_zh(self) -> &'static str {
        match self {
            DocumentType::ResidencePermit => "居住证",
            DocumentType::HukouPage => "户口簿（本人页）",
            DocumentType::DisabilityCertificate => "残疾证",
            DocumentType::SchoolRecord => "学籍证明",
            DocumentType::TenancyContract => "租房合同",
            DocumentType::Other => "其他材料",
        }
    }

    /// The name in English.
    pub fn name_en(self) -> &'static str {
        match self {
            DocumentType::ResidencePermit => "Residence permit",
            DocumentType::HukouPage => "Hukou booklet page",
            DocumentType::DisabilityCertificate => "Disability certificate",
            DocumentType::SchoolRecord => "School record",
            DocumentType::TenancyContract => "Tenancy contract",
            DocumentType::Other => "Other document",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_parses_back_from_its_code() {
        for t in DocumentType::ALL {
            assert_eq!(DocumentType::parse(t.code()), Some(t));
        }
        assert_eq!(DocumentType::parse("passport"), None);
    }
}
