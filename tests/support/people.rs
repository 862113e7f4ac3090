//! The people of a scenario: guardians, their children, staff and the administrator, created
//! through the public API as they would be (staff through the service layer, see `staff`).

use std::{future::IntoFuture, pin::Pin};

use serde_json::{Value, json};

use crate::{PASSWORD, TestApp, token_in};

impl TestApp {
    /// Registers and verifies a guardian; returns an access token.
    pub async fn guardian(&self, email: &str) -> String {
        let r = self
            .gql(
                None,
                "mutation($i: RegisterInput!){ register(input: $i) }",
                json!({"i": {"email": email, "password": PASSWORD, "displayName": "家长"}}),
            )
            .await;
        assert_eq!(r["data"]["register"], json!(true), "{r}");
        let mail = self.emails_to(email).await.pop().expect("verification e-mail");
        let token = token_in(&mail);
        let r = self.gql(None, "mutation($t: String!){ verifyEmail(token: $t) }", json!({"t": token})).await;
        assert_eq!(r["data"]["verifyEmail"], json!(true), "{r}");
        self.login(email, PASSWORD).await
    }

    /// A child of the guardian holding `token`, described step by step and added when awaited
    /// (to the guardian's household, created with the basic-services consent the first time):
    /// `app.child(&g).born("2016-03-01").hukou("520304").lives_in("520102").await` is the child's
    /// id. Unset facts are those of an ordinary migrant child of 南明区 with a residence permit
    /// and a school.
    pub fn child<'a>(&'a self, token: &'a str) -> NewChild<'a> {
        NewChild {
            app: self,
            token,
            name: "小明",
            sex: "MALE",
            birth: "2016-03-01",
            hukou: "520304",
            residence: "520102",
            residence_since: "2024-09-01",
            moved_with: "MOTHER",
            permit_since: Some("2024-10-01"),
            in_school: true,
        }
    }

    /// Logs in; returns the access token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let r = self.login_raw(email, password).await;
        r["data"]["login"]["accessToken"].as_str().unwrap_or_else(|| panic!("login failed: {r}")).to_owned()
    }

    /// Logs in; returns the whole response.
    pub async fn login_raw(&self, email: &str, password: &str) -> Value {
        self.gql(
            None,
            "mutation($e: String!, $p: String!){ login(email: $e, password: $p){ accessToken refreshToken expiresAt } }",
            json!({"e": email, "p": password}),
        )
        .await
    }

    /// Creates a staff account directly through the service layer with a known password (staff
    /// fixtures; the admin flow itself is tested through GraphQL) and returns its access token.
    pub async fn staff(&self, email: &str, role: api::auth::Role, department: Option<&str>, region: &str) -> String {
        let admin = self.admin_viewer().await;
        let new = api::services::accounts::NewStaff {
            email: email.into(),
            display_name: "工作人员".into(),
            role,
            department_code: department.map(Into::into),
            region_code: Some(region.into()),
            organization_id: None,
        };
        let acc = api::services::accounts::create_staff_account(&self.state, &admin, new).await.expect("staff");
        api::services::accounts::set_password_verified(&self.state, acc.id, PASSWORD).await.expect("password");
        self.login(email, PASSWORD).await
    }

    /// An admin viewer (created on first use) for arranging fixtures.
    pub async fn admin_viewer(&self) -> api::auth::Viewer {
        let id = api::services::accounts::create_admin(&self.state, "root-admin@tongxin.test", PASSWORD).await.expect("admin");
        api::auth::Viewer {
            account_id: id,
            session_id: uuid::Uuid::nil(),
            role: api::auth::Role::Admin,
            department_code: None,
            region_code: None,
            organization_id: None,
        }
    }

    /// Access token of the fixture admin.
    pub async fn admin_token(&self) -> String {
        self.admin_viewer().await;
        self.login("root-admin@tongxin.test", PASSWORD).await
    }
}

/// A child being described; awaiting it adds the child and yields its id.
pub struct NewChild<'a> {
    app: &'a TestApp,
    token: &'a str,
    name: &'a str,
    sex: &'a str,
    birth: &'a str,
    hukou: &'a str,
    residence: &'a str,
    residence_since: &'a str,
    moved_with: &'a str,
    permit_since: Option<&'a str>,
    in_school: bool,
}

impl<'a> NewChild<'a> {
    /// The child's name.
    pub fn named(mut self, name: &'a str) -> Self {
        self.name = name;
        self
    }

    /// `FEMALE` or `MALE`.
    pub fn sex(mut self, sex: &'a str) -> Self {
        self.sex = sex;
        self
    }

    /// Date of birth, `YYYY-MM-DD`.
    pub fn born(mut self, date: &'a str) -> Self {
        self.birth = date;
        self
    }

    /// Region code of the hukou (household registration) place.
    pub fn hukou(mut self, region: &'a str) -> Self {
        self.hukou = region;
        self
    }

    /// Region code where the family lives now.
    pub fn lives_in(mut self, region: &'a str) -> Self {
        self.residence = region;
        self
    }

    /// Since when the family lives there.
    pub fn since(mut self, date: &'a str) -> Self {
        self.residence_since = date;
        self
    }

    /// Which parent the child moved with (`MOTHER`, `FATHER`, `BOTH`, …).
    pub fn moved_with(mut self, who: &'a str) -> Self {
        self.moved_with = who;
        self
    }

    /// The family holds no residence permit.
    pub fn without_permit(mut self) -> Self {
        self.permit_since = None;
        self
    }

    /// The child is not enrolled in a school where the family lives.
    pub fn out_of_school(mut self) -> Self {
        self.in_school = false;
        self
    }

    async fn add(self) -> String {
        let (app, token) = (self.app, self.token);
        let h = app.gql(Some(token), "{ myHousehold { id } }", json!({})).await;
        if h["data"]["myHousehold"].is_null() {
            let r = app.gql(Some(token), "mutation { createHousehold { id } }", json!({})).await;
            assert!(r["errors"].is_null(), "{r}");
            let c = app
                .gql(
                    Some(token),
                    "mutation($i: ConsentInput!){ giveConsent(input: $i){ id } }",
                    json!({"i": {"purpose": "BASIC_SERVICES", "textVersion": "2026-11"}}),
                )
                .await;
            assert!(c["errors"].is_null(), "{c}");
        }
        let input = json!({
            "name": self.name, "sex": self.sex, "birthDate": self.birth, "hukouRegionCode": self.hukou,
            "residenceRegionCode": self.residence, "residenceSince": self.residence_since, "movedWith": self.moved_with,
            "hasResidencePermit": self.permit_since.is_some(), "residencePermitSince": self.permit_since,
            "enrolledInSchoolAtResidence": self.in_school
        });
        let r = app.gql(Some(token), "mutation($i: ChildInput!){ addChild(input: $i){ id } }", json!({"i": input})).await;
        r["data"]["addChild"]["id"].as_str().unwrap_or_else(|| panic!("addChild: {r}")).to_owned()
    }
}

impl<'a> IntoFuture for NewChild<'a> {
    type Output = String;
    type IntoFuture = Pin<Box<dyn Future<Output = String> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.add())
    }
}
