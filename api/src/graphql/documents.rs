//! Documents over GraphQL: families upload (GraphQL multipart request, `Upload`), attach kept
//! documents to requests and read the checklist; staff list, open (through signed links) and
//! review them. `ServiceRequest` gains `documents`, `missingDocuments` and `newDocuments`.

use std::io::Read;

use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, SimpleObject, Upload};
use chrono::{DateTime, Utc};
use domain::documents::DocumentType as Kind;
use sea_orm::EntityTrait;

use super::{
    child_access::AccessPurpose,
    context::{lang, state},
    scalars::parse_id,
    service_request::ServiceRequestFields,
};
use crate::{
    auth::{
        Role,
        viewer::{require, require_role},
    },
    error::{AppError, AppResult, Lang},
    services::documents::{self as svc, DocumentView, review::Decision},
};

/// What a document is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DocumentType {
    /// 居住证.
    ResidencePermit,
    /// 户口簿（本人页）.
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
    fn domain(self) -> Kind {
        match self {
            DocumentType::ResidencePermit => Kind::ResidencePermit,
            DocumentType::HukouPage => Kind::HukouPage,
            DocumentType::DisabilityCertificate => Kind::DisabilityCertificate,
            DocumentType::SchoolRecord => Kind::SchoolRecord,
            DocumentType::TenancyContract => Kind::TenancyContract,
            DocumentType::Other => Kind::Other,
        }
    }

    fn of(k: Kind) -> Self {
        match k {
            Kind::ResidencePermit => DocumentType::ResidencePermit,
            Kind::HukouPage => DocumentType::HukouPage,
            Kind::DisabilityCertificate => DocumentType::DisabilityCertificate,
            Kind::SchoolRecord => DocumentType::SchoolRecord,
            Kind::TenancyContract => DocumentType::TenancyContract,
            Kind::Other => DocumentType::Other,
        }
    }
}

/// Where a document's review stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DocumentStatus {
    /// Sent, not reviewed yet.
    Submitted,
    /// Accepted by the caseworker.
    Accepted,
    /// The caseworker asked for another one (`reviewNote` says why).
    ReplacementRequested,
}

/// The caseworker's decision on a document.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DocumentDecision {
    /// It will do.
    Accept,
    /// Another one is needed.
    RequestReplacement,
}

/// A paper a request needs.
#[derive(SimpleObject)]
pub struct DocumentRequirement {
    /// Type.
    #[graphql(name = "type")]
    pub kind: DocumentType,
    /// Name in the request's language.
    pub name: String,
    /// Name in Chinese.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
}

impl DocumentRequirement {
    fn of(k: Kind, l: Lang) -> Self {
        DocumentRequirement {
            kind: DocumentType::of(k),
            name: l.pick(k.name_zh(), k.name_en()).into(),
            name_zh: k.name_zh().into(),
            name_en: k.name_en().into(),
        }
    }
}

/// A document sent by a family. The uploaded file name is never kept.
#[derive(SimpleObject)]
pub struct Document {
    /// Id.
    pub id: ID,
    /// Type.
    #[graphql(name = "type")]
    pub kind: DocumentType,
    /// Type in words, in the request's language.
    pub type_name: String,
    /// Media type found from the content.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// The child.
    pub child_id: ID,
    /// The request it was sent with; none when kept on the child's record.
    pub request_id: Option<ID>,
    /// Review state.
    pub status: DocumentStatus,
    /// Why a replacement was asked for.
    pub review_note: Option<String>,
    /// When the caseworker reviewed it.
    pub reviewed_at: Option<DateTime<Utc>>,
    /// Account that uploaded it.
    pub uploaded_by: ID,
    /// When.
    pub uploaded_at: DateTime<Utc>,
}

impl Document {
    fn of(v: DocumentView, l: Lang) -> Self {
        let k = Kind::parse(&v.doc.doc_type).unwrap_or(Kind::Other);
        Document {
            id: ID(v.doc.id.to_string()),
            kind: DocumentType::of(k),
            type_name: l.pick(k.name_zh(), k.name_en()).into(),
            content_type: v.kind.mime().into(),
            size_bytes: v.size_bytes,
            child_id: ID(v.doc.child_id.to_string()),
            request_id: v.doc.request_id.map(|r| ID(r.to_string())),
            status: match v.doc.status.as_str() {
                svc::status::ACCEPTED => DocumentStatus::Accepted,
                svc::status::REPLACEMENT_REQUESTED => DocumentStatus::ReplacementRequested,
                _ => DocumentStatus::Submitted,
            },
            review_note: v.doc.review_note,
            reviewed_at: v.doc.reviewed_at,
            uploaded_by: ID(v.doc.uploaded_by.to_string()),
            uploaded_at: v.doc.created_at,
        }
    }
}

/// A download link, valid for the viewer who asked for it and for minutes only.
#[derive(SimpleObject)]
pub struct DocumentLink {
    /// `GET` it for the bytes (no other credential needed while it lasts).
    pub url: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// What an upload is about.
#[derive(InputObject)]
pub struct UploadDocumentInput {
    /// The child.
    pub child_id: ID,
    /// The family's open request it answers; omit to keep the document on the child's record.
    pub request_id: Option<ID>,
    /// What it is.
    #[graphql(name = "type")]
    pub kind: DocumentType,
}

/// The code `childRecord`'s purposes log under.
fn purpose_code(p: AccessPurpose) -> &'static str {
    match p {
        AccessPurpose::RecordVerification => "record_verification",
        AccessPurpose::KeyCare => "key_care",
        AccessPurpose::RequestHandling => "request_handling",
    }
}

/// Document queries.
#[derive(Default)]
pub struct DocumentsQuery;

#[Object]
impl DocumentsQuery {
    /// The papers a request for `entitlementCode` needs, from the policy in force.
    async fn required_documents(&self, ctx: &Context<'_>, entitlement_code: String) -> AppResult<Vec<DocumentRequirement>> {
        let st = state(ctx);
        let policy = st.reference.policy.version_at(st.clock.today()).ok_or_else(|| AppError::internal("no policy in force"))?;
        let e = policy
            .entitlement(&entitlement_code)
            .filter(|e| e.requestable)
            .ok_or_else(|| AppError::validation("entitlementCode", "该事项不能在线申请", "this entitlement cannot be requested"))?;
        Ok(e.documents.iter().map(|k| DocumentRequirement::of(*k, lang(ctx))).collect())
    }

    /// A child's documents: the family sees all of them; staff see those of the requests they
    /// handle; record staff (民政, 儿童主任, 儿童督导员) of the child's area see all for a `purpose`.
    /// Anyone else: `NOT_FOUND`.
    async fn child_documents(&self, ctx: &Context<'_>, child_id: ID, purpose: Option<AccessPurpose>) -> AppResult<Vec<Document>> {
        let v = require(ctx)?;
        let list = svc::of_child(state(ctx), &v, parse_id(&child_id)?, purpose.map(purpose_code)).await?;
        Ok(list.into_iter().map(|d| Document::of(d, lang(ctx))).collect())
    }

    /// A short-lived download link bound to the viewer. Staff following it are written to the
    /// child's access log before the bytes are sent. Anyone who may not see it: `NOT_FOUND`.
    async fn document_link(&self, ctx: &Context<'_>, id: ID, purpose: Option<AccessPurpose>) -> AppResult<DocumentLink> {
        let v = require(ctx)?;
        let l = svc::links::link(state(ctx), &v, parse_id(&id)?, purpose.map(purpose_code)).await?;
        Ok(DocumentLink { url: l.url, expires_at: l.expires_at })
    }
}

/// Document mutations.
#[derive(Default)]
pub struct DocumentsMutation;

#[Object]
impl DocumentsMutation {
    /// Uploads one file (GraphQL multipart request; `UPLOAD_MAX_FILE_BYTES`): a JPEG, PNG or HEIC
    /// photo or a PDF, recognised by its content. Damaged files and files whose content is not
    /// the claimed type are `VALIDATION` on `file`; photos lose their GPS location.
    async fn upload_document(&self, ctx: &Context<'_>, input: UploadDocumentInput, file: Upload) -> AppResult<Document> {
        let v = require_role(ctx, &[Role::Guardian])?;
        let up = file.value(ctx).map_err(|_| AppError::validation("file", "未收到文件", "no file was received"))?;
        let claimed_type = up.content_type.clone();
        let mut bytes = Vec::new();
        up.into_read().read_to_end(&mut bytes).map_err(AppError::internal)?;
        let request_id = input.request_id.as_ref().map(parse_id).transpose()?;
        let u = svc::Upload { child_id: parse_id(&input.child_id)?, request_id, doc_type: input.kind.domain(), bytes, claimed_type };
        Ok(Document::of(svc::upload(state(ctx), &v, u).await?, lang(ctx)))
    }

    /// Sends a document kept on the child's record with one of the child's open requests.
    async fn attach_document(&self, ctx: &Context<'_>, document_id: ID, request_id: ID) -> AppResult<Document> {
        let v = require_role(ctx, &[Role::Guardian])?;
        Ok(Document::of(svc::attach(state(ctx), &v, parse_id(&document_id)?, parse_id(&request_id)?).await?, lang(ctx)))
    }

    /// Staff of the request's queue accept a document or ask for another one; the reason
    /// (required for a replacement) is shown to the family.
    async fn review_document(&self, ctx: &Context<'_>, id: ID, decision: DocumentDecision, reason: Option<String>) -> AppResult<Document> {
        let v = require(ctx)?;
        let d = match decision {
            DocumentDecision::Accept => Decision::Accept,
            DocumentDecision::RequestReplacement => Decision::RequestReplacement,
        };
        Ok(Document::of(svc::review::review(state(ctx), &v, parse_id(&id)?, d, reason.as_deref()).await?, lang(ctx)))
    }
}

#[ComplexObject]
impl ServiceRequestFields {
    /// Documents sent with the request (the family's own, or those staff of its queue may see).
    async fn documents(&self, ctx: &Context<'_>) -> AppResult<Vec<Document>> {
        let v = require(ctx)?;
        let list = svc::of_request(state(ctx), &v, parse_id(&self.id)?).await?;
        Ok(list.into_iter().map(|d| Document::of(d, lang(ctx))).collect())
    }

    /// Papers the entitlement needs that are not sent yet or must be replaced.
    async fn missing_documents(&self, ctx: &Context<'_>) -> AppResult<Vec<DocumentRequirement>> {
        let v = require(ctx)?;
        let st = state(ctx);
        let sent = svc::of_request(st, &v, parse_id(&self.id)?).await?;
        Ok(svc::missing(st, &self.entitlement_code, &sent).into_iter().map(|k| DocumentRequirement::of(k, lang(ctx))).collect())
    }

    /// Staff: documents the family sent after the last staff action on the request (0 for families).
    async fn new_documents(&self, ctx: &Context<'_>) -> AppResult<i32> {
        let v = require(ctx)?;
        if !v.role.is_staff() {
            return Ok(0);
        }
        let st = state(ctx);
        let Some(r) = entities::request::Entity::find_by_id(parse_id(&self.id)?).one(&st.db).await? else { return Ok(0) };
        if !crate::services::requests::in_scope(&v, &r) {
            return Ok(0);
        }
        Ok(i32::try_from(svc::new_since_staff_action(&st.db, &r).await?).unwrap_or(i32::MAX))
    }
}
