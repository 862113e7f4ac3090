//! Headless Chromium driven through its WebDriver (`chromedriver`), one driver process per test on
//! its own port. Without a browser the tests say they are skipped (and how to install one);
//! `REQUIRE_BROWSER=1` (set by `.ci/run`) turns that into a failure.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use integration_tests::{PASSWORD, TestApp};
use serde_json::{Value, json};

/// Longest wait for anything to appear: CI is a loaded 2-core machine.
const WAIT: Duration = Duration::from_secs(30);
const INSTALL: &str = "apt-get install chromium chromium-driver";

/// axe-core 4.14.1 (MPL-2.0, licence beside it), injected into the page for the accessibility check.
const AXE: &str = include_str!("axe.min.js");

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).flat_map(|dir| names.iter().map(move |n| dir.join(n))).find(|p| p.is_file())
}

/// A browser session, or `None` after printing why the test is skipped.
pub async fn open(test: &str) -> Option<Browser> {
    let (Some(driver), Some(chrome)) = (on_path(&["chromedriver"]), on_path(&["chromium", "chromium-browser", "google-chrome"])) else {
        assert!(
            std::env::var("REQUIRE_BROWSER").as_deref() != Ok("1"),
            "REQUIRE_BROWSER=1 but chromium or chromedriver is missing; install with: {INSTALL}"
        );
        eprintln!("SKIPPED: {test} needs headless chromium and chromedriver; install with: {INSTALL}");
        return None;
    };
    Some(Browser::start(&driver, &chrome).await)
}

/// One chromedriver process and its browser; both end with the value.
pub struct Browser {
    pub client: Client,
    driver: Child,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    async fn start(driver: &std::path::Path, chrome: &std::path::Path) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
        let mut child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let status = format!("http://127.0.0.1:{port}/status");
        let started = Instant::now();
        loop {
            let ready = reqwest::get(&status).await.ok().map(|r| r.status().is_success()).unwrap_or(false);
            if ready {
                break;
            }
            if started.elapsed() > WAIT || child.try_wait().ok().flatten().is_some() {
                let _ = child.kill();
                panic!("chromedriver did not answer on port {port}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({"binary": chrome, "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1366,768", "--lang=zh-CN", "--force-device-scale-factor=1"]}),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector).capabilities(caps).connect(&format!("http://127.0.0.1:{port}")).await;
        match client {
            Ok(client) => Browser { client, driver: child },
            Err(e) => {
                let _ = child.kill();
                panic!("no browser session: {e}");
            }
        }
    }

    /// The first element matching `css`, waiting for it.
    pub async fn find(&self, css: &str) -> Element {
        self.client.wait().at_most(WAIT).for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}"))
    }

    /// Waits until `css` matches nothing.
    pub async fn gone(&self, css: &str) {
        self.until(&format!("{css} to disappear"), || async { self.client.find(Locator::Css(css)).await.is_err() }).await;
    }

    /// Waits until `check` holds (polled; never a fixed sleep).
    pub async fn until<F, Fut>(&self, what: &str, check: F)
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let started = Instant::now();
        while !check().await {
            assert!(started.elapsed() < WAIT, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the text of `css` contains `needle`; returns the text.
    pub async fn text_of(&self, css: &str, needle: &str) -> String {
        let mut last = String::new();
        let started = Instant::now();
        loop {
            if let Ok(e) = self.client.find(Locator::Css(css)).await
                && let Ok(t) = e.text().await
            {
                if t.contains(needle) {
                    return t;
                }
                last = t;
            }
            assert!(started.elapsed() < WAIT, "{css} never showed {needle:?} (last: {last:?})");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        e.clear().await.expect("clear");
        e.send_keys(text).await.unwrap_or_else(|err| panic!("type into {css}: {err}"));
    }

    /// Opens the console at `hash` and signs in as `email` when asked to; ends on `hash`.
    pub async fn sign_in(&self, app: &TestApp, email: &str, hash: &str) {
        self.client.goto(&app.url(&format!("/console{hash}"))).await.expect("goto");
        self.type_into("#signin input[type=email]", email).await;
        self.type_into("#signin input[type=password]", PASSWORD).await;
        self.click("#signin-submit").await;
        self.gone("#signin").await;
    }

    /// Runs axe-core in the page and fails on any serious or critical violation.
    pub async fn accessible(&self, screen: &str) {
        self.client.execute(AXE, vec![]).await.expect("axe loads");
        let run = "const done = arguments[arguments.length - 1];
            axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })
              .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')) }))))
              .catch(e => done([{ id: 'axe failed', impact: String(e) }]));";
        let found: Value = self.client.execute_async(run, vec![]).await.expect("axe runs");
        assert_eq!(found, json!([]), "accessibility violations on {screen}");
    }

    /// Screenshots of the current screen at 1366×768 and 390×844 into `docs/console/`.
    pub async fn screenshots(&self, name: &str) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/console");
        std::fs::create_dir_all(&dir).expect("docs/console");
        for (w, h) in [(1366u32, 768u32), (390, 844)] {
            self.client.set_window_size(w, h).await.expect("resize");
            self.client.execute("window.scrollTo(0, 0)", vec![]).await.expect("scroll");
            // Usable at this width: nothing makes the page scroll sideways.
            let fits: Value =
                self.client.execute("return document.documentElement.scrollWidth <= window.innerWidth", vec![]).await.expect("width");
            assert_eq!(fits, json!(true), "{name} scrolls sideways at {w}px");
            let png = self.client.screenshot().await.expect("screenshot");
            std::fs::write(dir.join(format!("{name}-{w}x{h}.png")), png).expect("write screenshot");
        }
        self.client.set_window_size(1366, 768).await.expect("resize");
    }
}
