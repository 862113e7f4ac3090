//! sea-orm entities of the Tongxin database. Plain data only: no GraphQL derives, no behaviour; the
//! server maps them to its own API types so the schema can evolve without breaking the wire contract.

pub mod account;
pub mod account_phone;
pub mod account_wechat;
pub mod audit_log;
pub mod booking;
pub mod care_follow_up;
pub mod care_measure;
pub mod child;
pub mod child_access_log;
pub mod child_verification;
pub mod child_version;
pub mod consent;
pub mod department;
pub mod document;
pub mod document_blob;
pub mod email_token;
pub mod household;
pub mod household_invitation;
pub mod household_member;
pub mod key_care_entry;
pub mod location;
pub mod login_session;
pub mod organization;
pub mod outbox;
pub mod phone_code;
pub mod refresh_token;
pub mod region;
pub mod request;
pub mod request_event;
pub mod risk_assessment;
pub mod screening;
pub mod service;
pub mod session;
pub mod trusted_document;
pub mod wechat_access_token;
