//! Settings of the document store and of uploads (issue 18).

use std::{collections::HashMap, path::PathBuf};

use domain::documents::DocumentType;
use secrecy::SecretString;

use crate::config::error::ConfigError;

/// Where document bytes are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StoreKind {
    /// Files under `DOCUMENTS_DIR` (development; single-node deployments).
    Local,
    /// An S3-compatible object store (Aliyun OSS, Tencent COS, MinIO, AWS).
    S3,
}

/// Document store, upload limits, download links and retention.
#[derive(Clone, Debug, clap::Args)]
pub struct StorageConfig {
    /// `local` (files under `DOCUMENTS_DIR`) or `s3` (the `S3_*` settings).
    #[arg(long, env = "DOCUMENT_STORE", value_enum, default_value = "local")]
    pub document_store: StoreKind,
    /// Directory of the local document store (created when missing).
    #[arg(long, env = "DOCUMENTS_DIR", default_value = "data/documents")]
    pub documents_dir: PathBuf,
    /// S3 endpoint URL, e.g. `https://oss-cn-guiyang.aliyuncs.com` or `https://cos.ap-guangzhou.myqcloud.com`.
    #[arg(long, env = "S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    /// Bucket of the documents.
    #[arg(long, env = "S3_BUCKET")]
    pub s3_bucket: Option<String>,
    /// Region of the bucket.
    #[arg(long, env = "S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,
    /// Access key id.
    #[arg(long, env = "S3_ACCESS_KEY_ID")]
    pub s3_access_key_id: Option<String>,
    /// Secret access key.
    #[arg(long, env = "S3_SECRET_ACCESS_KEY", hide_env_values = true)]
    pub s3_secret_access_key: Option<SecretString>,
    /// Address objects as `endpoint/bucket/key` (MinIO, most private stores) instead of
    /// `bucket.endpoint/key`.
    #[arg(long, env = "S3_PATH_STYLE", default_value_t = false, action = clap::ArgAction::Set)]
    pub s3_path_style: bool,
    /// Largest accepted file, in bytes; a larger one is refused while it streams in.
    #[arg(long, env = "UPLOAD_MAX_FILE_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub upload_max_file_bytes: usize,
    /// Largest accepted upload request (all its files and fields), in bytes.
    #[arg(long, env = "UPLOAD_MAX_REQUEST_BYTES", default_value_t = 25 * 1024 * 1024)]
    pub upload_max_request_bytes: usize,
    /// Files one upload request may carry.
    #[arg(long, env = "UPLOAD_MAX_FILES", default_value_t = 4)]
    pub upload_max_files: usize,
    /// Lifetime of a download link, in seconds.
    #[arg(long, env = "DOCUMENT_LINK_TTL_SECS", default_value_t = 300)]
    pub document_link_ttl_secs: u64,
    /// Days a closed request's documents are kept, per type (`type=days`, comma-separated;
    /// types left out keep the default of 180 days).
    #[arg(
        long,
        env = "DOCUMENT_RETENTION_DAYS",
        default_value = "residence_permit=180,hukou_page=180,disability_certificate=365,school_record=180,tenancy_contract=180,other=90",
        value_delimiter = ','
    )]
    pub document_retention_days: Vec<String>,
}

/// Days kept when `DOCUMENT_RETENTION_DAYS` does not name a type.
pub const DEFAULT_RETENTION_DAYS: i64 = 180;

impl StorageConfig {
    /// Retention per document type, parsed from `DOCUMENT_RETENTION_DAYS`.
    pub fn retention(&self) -> Result<HashMap<DocumentType, i64>, ConfigError> {
        let mut out: HashMap<DocumentType, i64> = DocumentType::ALL.into_iter().map(|t| (t, DEFAULT_RETENTION_DAYS)).collect();
        for entry in self.document_retention_days.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
            let bad = || ConfigError(format!("DOCUMENT_RETENTION_DAYS: `{entry}` must be type=days with a known type and 1 to 3650 days"));
            let (t, d) = entry.split_once('=').ok_or_else(bad)?;
            let t = DocumentType::parse(t.trim()).ok_or_else(bad)?;
            let d: i64 = d.trim().parse().ok().filter(|d| (1..=3650).contains(d)).ok_or_else(bad)?;
            out.insert(t, d);
        }
        Ok(out)
    }

    /// What production refuses, named setting by setting.
    pub fn unsafe_in_production(&self, single_node: bool) -> Vec<&'static str> {
        let mut out = Vec::new();
        match self.document_store {
            StoreKind::Local if !single_node => {
                out.push("DOCUMENT_STORE is `local` with PostgreSQL: replicas would not share the files; use DOCUMENT_STORE=s3")
            }
            StoreKind::Local => {}
            StoreKind::S3 => {
                if !self.s3_endpoint.as_deref().is_some_and(|e| e.starts_with("https://")) {
                    out.push("S3_ENDPOINT must be an https URL");
                }
                if self.s3_access_key_id.is_none() || self.s3_secret_access_key.is_none() {
                    out.push("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set");
                }
            }
        }
        out
    }

    /// Settings wrong in any environment.
    pub fn check(&self) -> Result<(), ConfigError> {
        self.retention()?;
        if self.document_store == StoreKind::S3 && (self.s3_endpoint.is_none() || self.s3_bucket.is_none()) {
            return Err(ConfigError("DOCUMENT_STORE=s3 needs S3_ENDPOINT and S3_BUCKET".into()));
        }
        if self.upload_max_file_bytes == 0 || self.upload_max_request_bytes < self.upload_max_file_bytes || self.upload_max_files == 0 {
            return Err(ConfigError(
                "UPLOAD_MAX_FILE_BYTES must be positive, UPLOAD_MAX_REQUEST_BYTES at least as large, UPLOAD_MAX_FILES at least 1".into(),
            ));
        }
        Ok(())
    }
}
