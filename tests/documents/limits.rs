//! What is refused at the door: files whose content is not what they claim or not an accepted
//! kind, damaged files, and files over the limit — stopped while they stream in.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use integration_tests::{TestApp, code, field};
use serde_json::json;

use super::{count, family, files, upload};

#[tokio::test]
async fn a_file_that_is_not_what_it_claims_is_refused() {
    let app = TestApp::spawn().await;
    let (g, child) = family(&app, "mum@example.org").await;
    let input = json!({"childId": child, "type": "RESIDENCE_PERMIT"});
    let cases = [
        ("a PDF sent as a JPEG", files::pdf(), "image/jpeg"),
        ("a program renamed to .jpg", b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff".to_vec(), "image/jpeg"),
        ("a text file", b"just some words".to_vec(), "application/octet-stream"),
        ("a photo cut short", files::photo_with_location(1)[..60].to_vec(), "image/jpeg"),
    ];
    for (what, bytes, mime) in cases {
        let r = upload(&app, &g, input.clone(), bytes, mime).await;
        assert_eq!((code(&r), field(&r)), ("VALIDATION", "file"), "{what}: {r}");
    }
    assert_eq!(count(&app, "documents").await, 0, "nothing was kept");
    assert_eq!(count(&app, "document_blobs").await, 0);
    let ok = upload(&app, &g, input, files::pdf(), "application/pdf").await;
    assert!(ok["errors"].is_null(), "{ok}");
}

/// This process's resident memory in bytes (Linux).
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0)
        * 1024
}

#[tokio::test]
async fn a_50_mb_upload_against_a_10_mb_limit_is_stopped_while_it_streams() {
    const MB: usize = 1024 * 1024;
    let app = TestApp::spawn_with(|c| {
        c.storage.upload_max_file_bytes = 10 * MB;
        c.storage.upload_max_request_bytes = 100 * MB;
    })
    .await;
    let (g, child) = family(&app, "mum@example.org").await;
    let before = rss();
    // 50 MB generated 64 KB at a time, never held whole; `sent` counts what the server pulled.
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    let mut first = files::pdf();
    first.resize(64 * 1024, b' ');
    let chunks = std::iter::once(first).chain(std::iter::repeat_n(vec![b' '; 64 * 1024], 50 * 16 - 1));
    let stream = futures::stream::iter(chunks.map(move |c| {
        counter.fetch_add(c.len() as u64, Ordering::Relaxed);
        Ok::<_, std::io::Error>(c)
    }));
    let operations = json!({"query": super::UPLOAD, "variables": {"i": {"childId": child, "type": "OTHER"}, "f": null}});
    let form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", json!({"0": ["variables.f"]}).to_string())
        .part(
            "0",
            reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(stream))
                .file_name("video.pdf")
                .mime_str("application/pdf")
                .expect("mime"),
        );
    let resp = app.http().post(app.url("/graphql")).bearer_auth(&g).multipart(form).send().await;
    let pulled = sent.load(Ordering::Relaxed);
    let grown = rss().saturating_sub(before);
    println!(
        "50 MB upload against a 10 MB limit: {} MB read before the refusal, resident memory +{} MB",
        pulled / MB as u64,
        grown / MB as u64
    );
    match resp {
        Ok(r) => {
            assert_eq!(r.status().as_u16(), 413);
            let body: serde_json::Value = r.json().await.expect("json");
            assert_eq!((code(&body), field(&body)), ("VALIDATION", "file"), "{body}");
        }
        // The server may close the connection before the client reads the answer: still refused.
        Err(e) => println!("connection closed by the server after the refusal: {e}"),
    }
    assert!(pulled < 20 * MB as u64, "stopped near the limit, not after 50 MB: {pulled}");
    assert!(grown < 40 * MB as u64, "memory stays flat: +{grown} bytes");
    assert_eq!(count(&app, "documents").await, 0);

    // A request that announces too much is answered before a byte of its body is sent.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(app.addr).await.expect("connect");
    let head = format!(
        "POST /graphql HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {g}\r\ncontent-type: multipart/form-data; boundary=x\r\ncontent-length: {}\r\n\r\n",
        200 * MB
    );
    tcp.write_all(head.as_bytes()).await.expect("write");
    let mut answer = vec![0u8; 64];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), tcp.read(&mut answer)).await.expect("answered at once").expect("read");
    assert!(String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 413"), "{}", String::from_utf8_lossy(&answer[..n]));
}
