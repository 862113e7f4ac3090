//! The document store: encrypted objects under random names, in a local directory or an
//! S3-compatible bucket, through the `object_store` crate (one API for both, so the tests of the
//! local store run unchanged against S3).
//!
//! Why encrypt before storing: the bucket of a provincial deployment is run by a cloud provider
//! and backed up elsewhere; a family's hukou page must be unreadable there. The PII keys encrypt
//! (AES-256-GCM, bound to the blob's id), the key id is kept in the row, so keys rotate as for ID
//! numbers.

pub mod config;

use std::sync::Arc;

use object_store::{ObjectStore, PutPayload, aws::AmazonS3Builder, local::LocalFileSystem, path::Path};
use secrecy::ExposeSecret;
use uuid::Uuid;

use self::config::{StorageConfig, StoreKind};
use crate::{
    config::ConfigError,
    error::{AppError, AppResult},
    pii::Pii,
};

/// Where document bytes go.
#[derive(Clone, Debug)]
pub struct Store {
    inner: Arc<dyn ObjectStore>,
}

/// Associated data of a blob's encryption: a ciphertext moved to another blob does not open.
fn context(blob_id: Uuid) -> String {
    format!("document:{blob_id}")
}

fn unavailable(e: object_store::Error) -> AppError {
    tracing::error!(error = %e, "document store failed");
    AppError::Unavailable { retry_after_secs: 30 }
}

impl Store {
    /// Opens the configured store (creating the local directory when missing).
    pub fn from_config(c: &StorageConfig) -> Result<Store, ConfigError> {
        let inner: Arc<dyn ObjectStore> = match c.document_store {
            StoreKind::Local => {
                std::fs::create_dir_all(&c.documents_dir)
                    .map_err(|e| ConfigError(format!("DOCUMENTS_DIR {}: {e}", c.documents_dir.display())))?;
                let fs = LocalFileSystem::new_with_prefix(&c.documents_dir)
                    .map_err(|e| ConfigError(format!("DOCUMENTS_DIR {}: {e}", c.documents_dir.display())))?;
                Arc::new(fs)
            }
            StoreKind::S3 => {
                let endpoint = c.s3_endpoint.clone().unwrap_or_default();
                let mut b = AmazonS3Builder::new()
                    .with_endpoint(&endpoint)
                    .with_bucket_name(c.s3_bucket.clone().unwrap_or_default())
                    .with_region(&c.s3_region)
                    .with_virtual_hosted_style_request(!c.s3_path_style)
                    .with_allow_http(endpoint.starts_with("http://"));
                if let Some(id) = &c.s3_access_key_id {
                    b = b.with_access_key_id(id);
                }
                if let Some(secret) = &c.s3_secret_access_key {
                    b = b.with_secret_access_key(secret.expose_secret());
                }
                Arc::new(b.build().map_err(|e| ConfigError(format!("S3 settings: {e}")))?)
            }
        };
        Ok(Store { inner })
    }

    /// Encrypts `plain` for blob `blob_id` and stores it under a new random name; returns the
    /// name and the key id.
    pub async fn put(&self, pii: &Pii, blob_id: Uuid, plain: &[u8]) -> AppResult<(String, String)> {
        let (kid, sealed) = pii.seal_bytes(&context(blob_id), plain)?;
        let key = Uuid::new_v4().simple().to_string();
        self.inner.put(&Path::from(key.as_str()), PutPayload::from(sealed)).await.map_err(unavailable)?;
        Ok((key, kid))
    }

    /// The decrypted bytes of a blob.
    pub async fn get(&self, pii: &Pii, blob_id: Uuid, key: &str, kid: &str) -> AppResult<Vec<u8>> {
        let got = self.inner.get(&Path::from(key)).await.map_err(unavailable)?;
        let sealed = got.bytes().await.map_err(unavailable)?;
        pii.open_bytes(&context(blob_id), kid, &sealed)
    }

    /// Removes an object; one already gone is fine (a retried deletion).
    pub async fn delete(&self, key: &str) -> AppResult<()> {
        match self.inner.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }

    /// Whether an object exists (operators' checks and tests).
    pub async fn exists(&self, key: &str) -> AppResult<bool> {
        match self.inner.head(&Path::from(key)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(unavailable(e)),
        }
    }

    /// The raw (encrypted) bytes of an object, as the store holds them (tests).
    pub async fn raw(&self, key: &str) -> AppResult<Vec<u8>> {
        let got = self.inner.get(&Path::from(key)).await.map_err(unavailable)?;
        Ok(got.bytes().await.map_err(unavailable)?.to_vec())
    }

    /// Deletes objects after their rows were deleted; a failure is logged (the object is
    /// encrypted and no row names it any more).
    pub async fn delete_all(&self, keys: &[String]) -> usize {
        let mut n = 0;
        for k in keys {
            match self.delete(k).await {
                Ok(()) => n += 1,
                Err(_) => tracing::error!("a deleted document's object could not be removed from the store"),
            }
        }
        n
    }
}
