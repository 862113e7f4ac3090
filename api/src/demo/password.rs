/// Password of every demo account, printed by `cargo run -- --demo`: demo data is for trying the
/// API on a development machine, so its logins are meant to be known.
pub const DEMO_PASSWORD: &str = "tongxin-demo-2026";
