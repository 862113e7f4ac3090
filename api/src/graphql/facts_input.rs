//! The two inputs that carry a child's facts — `ChildInput` (a guardian's record of the child)
//! and `ScreeningInput` (the public screener) — written from one table.
//!
//! Why a table and not a flattened shared input: the facts sit between the record's own fields
//! (the ID number after the birth date, the township after the county, …) and each input words
//! its fields for its own reader, so a flattened struct would reorder or reword the published
//! schema. Each row below is one field: `fact` rows are in both inputs (the record's type and
//! wording, then the screener's), `required` rows are facts the record requires, `record` rows
//! only the record has. The conversion of a record into the screener's facts comes from the same
//! rows, so a fact added here reaches the screening of stored children without another list.

use async_graphql::{Enum, InputObject};

use super::scalars::Date;

/// Sex as on the identity document.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
}

/// With whom the child moved away from the hukou place.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum MovedWith {
    /// The father.
    Father,
    /// The mother.
    Mother,
    /// Both parents.
    BothParents,
    /// Another guardian.
    OtherGuardian,
    /// Without a guardian.
    NoGuardian,
}

impl MovedWith {
    /// The stored name.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            MovedWith::Father => "father",
            MovedWith::Mother => "mother",
            MovedWith::BothParents => "both_parents",
            MovedWith::OtherGuardian => "other_guardian",
            MovedWith::NoGuardian => "no_guardian",
        }
    }

    /// The value of a stored name.
    pub(super) fn parse(s: &str) -> Option<Self> {
        [MovedWith::Father, MovedWith::Mother, MovedWith::BothParents, MovedWith::OtherGuardian, MovedWith::NoGuardian]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// Writes `ChildInput`, `ScreeningInput` and `ChildInput::screening` from the rows (see the
/// module comment); an accumulator per output, one row per step.
macro_rules! fact_inputs {
    (child $child_doc:tt; screening $screen_doc:tt; from $this:ident; $($rows:tt)*) => {
        fact_inputs!(@row $this [#[doc = $child_doc]] [#[doc = $screen_doc]] [] [] [] $($rows)*);
    };
    (@row $this:ident $cm:tt $sm:tt [$($c:tt)*] [$($s:tt)*] [$($conv:tt)*]
        fact $name:ident: $ty:ty, $child_doc:tt, $screen_doc:tt; $($rest:tt)*) => {
        fact_inputs!(@row $this $cm $sm
            [$($c)* #[doc = $child_doc] pub $name: $ty,]
            [$($s)* #[doc = $screen_doc] pub $name: $ty,]
            [$($conv)* $name: $this.$name.clone(),]
            $($rest)*);
    };
    (@row $this:ident $cm:tt $sm:tt [$($c:tt)*] [$($s:tt)*] [$($conv:tt)*]
        required $name:ident: $ty:ty, $child_doc:tt, $screen_doc:tt; $($rest:tt)*) => {
        fact_inputs!(@row $this $cm $sm
            [$($c)* #[doc = $child_doc] pub $name: $ty,]
            [$($s)* #[doc = $screen_doc] pub $name: Option<$ty>,]
            [$($conv)* $name: Some($this.$name.clone()),]
            $($rest)*);
    };
    (@row $this:ident $cm:tt $sm:tt [$($c:tt)*] $s:tt $conv:tt
        record $name:ident: $ty:ty, $child_doc:tt; $($rest:tt)*) => {
        fact_inputs!(@row $this $cm $sm [$($c)* #[doc = $child_doc] pub $name: $ty,] $s $conv $($rest)*);
    };
    (@row $this:ident [$($cm:tt)*] [$($sm:tt)*] [$($c:tt)*] [$($s:tt)*] [$($conv:tt)*]) => {
        $($cm)*
        #[derive(InputObject)]
        pub struct ChildInput { $($c)* }

        $($sm)*
        #[derive(InputObject, Default, Clone)]
        pub struct ScreeningInput { $($s)* }

        impl ChildInput {
            /// The record's facts as the screener reads them.
            pub(super) fn screening(&$this) -> ScreeningInput {
                ScreeningInput { $($conv)* }
            }
        }
    };
}

fact_inputs! {
    child "A child's record as a guardian enters it; `updateChild` replaces the whole record.";
    screening "The facts the screener reads. All optional: an unknown fact gives `NEEDS_INFO`, never a guess.";
    from self;
    record name: String, "Name.";
    record sex: Sex, "Sex.";
    required birth_date: Date, "Birth date; must match the ID number.", "Child's birth date.";
    record id_number: Option<String>, "居民身份证号, 18 characters (optional for infants without one).";
    fact hukou_region_code: Option<String>, "Hukou county code (anywhere in China).", "Hukou county code (anywhere in China).";
    required residence_region_code: String, "Residence county code (in Guizhou).", "Residence county code.";
    record residence_township_code: Option<String>, "Residence township code (inside the residence county).";
    fact residence_since: Option<Date>, "Living at the residence since.", "Living at the residence since.";
    fact moved_with_guardian: Option<bool>, "Moved with a parent or guardian.", "Moved together with a parent or other guardian.";
    record moved_with: Option<MovedWith>, "With whom.";
    fact has_residence_permit: Option<bool>, "Holds a residence permit.", "Holds a residence permit (居住证).";
    record residence_permit_number: Option<String>, "Residence permit number.";
    fact residence_permit_since: Option<Date>, "Permit issued on.", "Residence permit issued on.";
    record residence_permit_endorsed_on: Option<Date>, "Last annual endorsement of the permit.";
    fact enrolled_in_school_at_residence: Option<bool>,
        "Enrolled in a school or kindergarten at the residence.", "Enrolled in a school or kindergarten at the residence.";
    record school_name: Option<String>, "That school or kindergarten.";
    fact meets_residence_dibao_test: Option<bool>,
        "Family meets the residence-place dibao test (self-declared).",
        "Family meets the residence-place minimum-living means test (self-declared).";
    fact meets_hukou_dibao_test: Option<bool>,
        "Family meets the hukou-place dibao conditions (self-declared).",
        "Family meets the hukou-place minimum-living conditions (self-declared).";
    fact family_economic_hardship: Option<bool>, "Family economic hardship.", "Family in economic hardship.";
    fact sudden_hardship: Option<bool>, "Sudden hardship.", "Sudden hardship (accident, disaster, illness).";
    fact has_disability_certificate: Option<bool>,
        "Holds a disability certificate (needs SENSITIVE_DATA consent).", "Holds a disability certificate.";
    fact disability_grade: Option<i32>, "Disability grade 1–4 (needs SENSITIVE_DATA consent).", "Disability grade 1–4.";
    fact orphan_or_unsupported: Option<bool>, "Orphan or de-facto unsupported child.", "Recognised orphan or de-facto unsupported child.";
    fact serious_illness: Option<bool>, "Serious illness (needs SENSITIVE_DATA consent).", "Serious illness.";
    fact diagnosed_mental_disorder: Option<bool>,
        "Diagnosed mental disorder (needs SENSITIVE_DATA consent).", "Diagnosed mental disorder.";
    fact guardianship_absent: Option<bool>, "Guardianship absent.", "Guardianship absent.";
    fact meets_housing_support_conditions: Option<bool>,
        "Family meets local housing-support conditions.", "Family meets local housing-support conditions.";
}
