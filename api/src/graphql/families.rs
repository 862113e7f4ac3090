//! Households and consent over GraphQL (guardians only).

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use domain::input::Email;
use uuid::Uuid;

use super::{
    children::Child,
    context::{client_addr, state},
    scalars::parse_id,
};
use crate::{
    auth::{Role, viewer::require_role},
    error::{AppResult, OnField},
    services::{
        children,
        families::{self, CONSENT_TEXT_VERSION, Purpose},
    },
    state::AppState,
};

/// What a consent allows.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ConsentPurpose {
    /// Keeping the child's record to screen entitlements, file requests and book services.
    BasicServices,
    /// Processing sensitive facts (disability, serious illness, mental health); separate by law.
    SensitiveData,
}

impl From<ConsentPurpose> for Purpose {
    fn from(p: ConsentPurpose) -> Self {
        match p {
            ConsentPurpose::BasicServices => Purpose::BasicServices,
            ConsentPurpose::SensitiveData => Purpose::SensitiveData,
        }
    }
}

/// A consent given by a guardian.
#[derive(SimpleObject)]
pub struct Consent {
    /// Consent id (for `withdrawConsent`).
    pub id: ID,
    /// Purpose.
    pub purpose: ConsentPurpose,
    /// The child it covers; null means every child of the household.
    pub child_id: Option<ID>,
    /// Version of the consent text shown.
    pub text_version: String,
    /// When given.
    pub given_at: DateTime<Utc>,
    /// When withdrawn, if it was.
    pub withdrawn_at: Option<DateTime<Utc>>,
}

impl From<entities::consent::Model> for Consent {
    fn from(c: entities::consent::Model) -> Self {
        Consent {
            id: ID(c.id.to_string()),
            purpose: match Purpose::parse(&c.purpose) {
                Some(Purpose::SensitiveData) => ConsentPurpose::SensitiveData,
                _ => ConsentPurpose::BasicServices,
            },
            child_id: c.child_id.map(|i| ID(i.to_string())),
            text_version: c.text_version,
            given_at: c.given_at,
            withdrawn_at: c.withdrawn_at,
        }
    }
}

/// A consent to give.
#[derive(InputObject)]
pub struct ConsentInput {
    /// Purpose consented to.
    pub purpose: ConsentPurpose,
    /// One child; leave out to cover every child of the household, including children added later.
    pub child_id: Option<ID>,
    /// Version of the consent text the guardian was shown (`consentTextVersion`).
    pub text_version: String,
}

/// A guardian of a household.
#[derive(SimpleObject)]
pub struct Guardian {
    /// Account id.
    pub id: ID,
    /// Name.
    pub display_name: String,
    /// E-mail address; none for a family who signs in with WeChat or a phone number only.
    pub email: Option<String>,
}

/// The guardian's household.
#[derive(SimpleObject)]
pub struct Household {
    /// Household id.
    pub id: ID,
    /// Its guardians, in joining order.
    pub guardians: Vec<Guardian>,
    /// Its children (erased records are gone).
    pub children: Vec<Child>,
    /// Every consent given, including withdrawn ones.
    pub consents: Vec<Consent>,
}

async fn load_household(st: &AppState, id: Uuid) -> AppResult<Household> {
    let guardians = families::guardians(&st.db, id).await?;
    let kids = children::household_children(&st.db, id).await?;
    let consents = families::consents(&st.db, id).await?;
    let children =
        kids.iter().map(|c| Child::build(c, &children::details_of(c), children::masked(&st.pii, c))).collect::<AppResult<Vec<_>>>()?;
    Ok(Household {
        id: ID(id.to_string()),
        guardians: guardians
            .into_iter()
            .map(|a| Guardian { id: ID(a.id.to_string()), display_name: a.display_name, email: a.email })
            .collect(),
        children,
        consents: consents.into_iter().map(Into::into).collect(),
    })
}

/// Household queries.
#[derive(Default)]
pub struct FamiliesQuery;

#[Object]
impl FamiliesQuery {
    /// The viewer's household with its guardians, children and consents; null before one exists.
    async fn my_household(&self, ctx: &Context<'_>) -> AppResult<Option<Household>> {
        let v = require_role(ctx, &[Role::Guardian])?;
        let st = state(ctx);
        match families::household_of(&st.db, v.account_id).await? {
            Some(id) => Ok(Some(load_household(st, id).await?)),
            None => Ok(None),
        }
    }

    /// Version of the consent texts currently shown to guardians; `giveConsent` must name it.
    async fn consent_text_version(&self) -> &'static str {
        CONSENT_TEXT_VERSION
    }
}

/// Household and consent mutations.
#[derive(Default)]
pub struct FamiliesMutation;

#[Object]
impl FamiliesMutation {
    /// Creates a household with the viewer as its first guardian (`CONFLICT` if they have one).
    async fn create_household(&self, ctx: &Context<'_>) -> AppResult<Household> {
        let v = require_role(ctx, &[Role::Guardian])?;
        let id = families::create_household(state(ctx), &v).await?;
        load_household(state(ctx), id).await
    }

    /// E-mails an invitation to another guardian to join the viewer's household.
    async fn invite_guardian(&self, ctx: &Context<'_>, email: String) -> AppResult<bool> {
        let v = require_role(ctx, &[Role::Guardian])?;
        let email = Email::parse(&email).on("email")?;
        families::invite_guardian(state(ctx), &v, &email, client_addr(ctx)).await?;
        Ok(true)
    }

    /// Joins the household with the token of an invitation sent to the viewer's address.
    async fn accept_household_invitation(&self, ctx: &Context<'_>, token: String) -> AppResult<Household> {
        let v = require_role(ctx, &[Role::Guardian])?;
        let id = families::accept_invitation(state(ctx), &v, &token).await?;
        load_household(state(ctx), id).await
    }

    /// Records the guardian's consent for a purpose (for one child, or the whole household).
    async fn give_consent(&self, ctx: &Context<'_>, input: ConsentInput) -> AppResult<Consent> {
        let v = require_role(ctx, &[Role::Guardian])?;
        let child = input.child_id.as_ref().map(parse_id).transpose()?;
        Ok(families::give_consent(state(ctx), &v, input.purpose.into(), child, &input.text_version).await?.into())
    }

    /// Withdraws a consent: the children it covered are no longer processed (their data is kept).
    async fn withdraw_consent(&self, ctx: &Context<'_>, id: ID) -> AppResult<Consent> {
        let v = require_role(ctx, &[Role::Guardian])?;
        Ok(families::withdraw_consent(state(ctx), &v, parse_id(&id)?).await?.into())
    }
}
