//! The outbox: real SMTP delivery, recovery after the mail server was down, and exactly-once
//! delivery with several processes on one database.

use std::{
    net::TcpListener,
    sync::{Arc, Mutex},
};

use api::mail::{Mailer, outbox, templates};
use integration_tests::TestApp;
use lettre::transport::stub::AsyncStubTransport;
use mailin_embedded::{Handler, Response, Server, response::OK};

/// An SMTP sink: records every message's raw data.
#[derive(Clone, Default)]
struct Sink {
    received: Arc<Mutex<Vec<String>>>,
    current: Vec<u8>,
}

impl Handler for Sink {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, _to: &[String]) -> Response {
        self.current.clear();
        OK
    }
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }
    fn data_end(&mut self) -> Response {
        let msg = String::from_utf8_lossy(&self.current).into_owned();
        if let Ok(mut r) = self.received.lock() {
            r.push(msg);
        }
        OK
    }
}

fn start_sink(listener: TcpListener) -> Arc<Mutex<Vec<String>>> {
    let sink = Sink::default();
    let received = sink.received.clone();
    let mut server = Server::new(sink);
    server.with_name("sink.test").with_num_threads(2).with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    received
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port")
}

async fn smtp_app(port: u16) -> TestApp {
    TestApp::spawn_with(move |c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}").into());
        c.workers = false; // the test drives delivery itself
    })
    .await
}

fn smtp_mailer(app: &TestApp) -> Mailer {
    Mailer::from_config(&app.state.config).expect("smtp mailer")
}

#[tokio::test]
async fn a_verification_e_mail_travels_over_a_real_smtp_conversation() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let received = start_sink(listener);
    let app = smtp_app(port).await;
    let mailer = smtp_mailer(&app);
    outbox::enqueue(&app.state.db, "parent@example.org", templates::verify_email("https://tongxin.test", "tok123"), chrono::Utc::now())
        .await
        .expect("enqueue");
    let pass = outbox::deliver_due(&app.state.db, &mailer, &app.state.config.mail_from, &outbox::Retry::default(), app.state.clock.now())
        .await
        .expect("deliver");
    assert_eq!(pass, outbox::Pass { sent: 1, failed: 0 });
    let got = received.lock().expect("lock").clone();
    assert_eq!(got.len(), 1);
    assert!(got[0].contains("Message-ID: <"), "a stable Message-ID: {}", got[0]);
    assert!(got[0].contains("To: parent@example.org"));
}

#[tokio::test]
async fn mail_that_failed_while_the_server_was_down_is_sent_once_it_is_back() {
    let port = free_port(); // nothing listens: the sink is down
    let app = smtp_app(port).await;
    let mailer = smtp_mailer(&app);
    let from = app.state.config.mail_from.clone();
    outbox::enqueue(&app.state.db, "late@example.org", templates::reset_password("https://tongxin.test", "abc"), chrono::Utc::now())
        .await
        .expect("enqueue");
    let down = outbox::deliver_due(&app.state.db, &mailer, &from, &outbox::Retry::default(), app.state.clock.now()).await.expect("pass");
    assert_eq!(down, outbox::Pass { sent: 0, failed: 1 });
    // Backoff: nothing is retried before its time.
    let early = outbox::deliver_due(&app.state.db, &mailer, &from, &outbox::Retry::default(), app.state.clock.now()).await.expect("pass");
    assert_eq!(early, outbox::Pass::default());

    let received = start_sink(TcpListener::bind(("127.0.0.1", port)).expect("sink comes back on the same port"));
    app.state.clock.advance(chrono::Duration::seconds(11)); // past the first backoff (10 s)
    let back = outbox::deliver_due(&app.state.db, &mailer, &from, &outbox::Retry::default(), app.state.clock.now()).await.expect("pass");
    assert_eq!(back, outbox::Pass { sent: 1, failed: 0 });
    assert_eq!(received.lock().expect("lock").len(), 1, "sent exactly once, nothing lost");
    let again = outbox::deliver_due(&app.state.db, &mailer, &from, &outbox::Retry::default(), app.state.clock.now()).await.expect("pass");
    assert_eq!(again, outbox::Pass::default());
}

#[tokio::test]
async fn two_server_processes_on_one_database_never_send_the_same_e_mail_twice() {
    let app = TestApp::spawn_with(|c| c.workers = false).await;
    for i in 0..60 {
        outbox::enqueue(
            &app.state.db,
            &format!("p{i}@example.org"),
            templates::notice("通知", "Notice", "z".into(), "e".into()),
            chrono::Utc::now(),
        )
        .await
        .expect("enqueue");
    }
    // A second "process": its own connection pool on the same database.
    let other = api::db::connect(&app.state.config).await.expect("second pool");
    let stub = AsyncStubTransport::new_ok();
    let from = app.state.config.mail_from.clone();
    let mut tasks = Vec::new();
    for w in 0..6 {
        let db = if w % 2 == 0 { app.state.db.clone() } else { other.clone() };
        let mailer = Mailer::Stub(stub.clone());
        let from = from.clone();
        tasks.push(tokio::spawn(async move {
            let mut sent = 0;
            for _ in 0..10 {
                sent += outbox::deliver_due(&db, &mailer, &from, &outbox::Retry::default(), chrono::Utc::now()).await.expect("pass").sent;
            }
            sent
        }));
    }
    let total: usize = futures::future::join_all(tasks).await.into_iter().map(|r| r.expect("task")).sum();
    let messages = stub.messages().await;
    let mut recipients: Vec<String> = messages.iter().map(|(e, _)| e.to()[0].to_string()).collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(total, 60);
    assert_eq!(messages.len(), 60, "no duplicates");
    assert_eq!(recipients.len(), 60, "nothing lost");
}
