//! `api`: runs the Tongxin server, and the operator commands (first admin, SDL export, migrations).
// async-graphql nests one future per level of the schema; the hand-resolved pages add levels.
#![recursion_limit = "256"]

use clap::{Parser, Subcommand};

use api::config::{Config, Environment};

/// mimalloc instead of the system allocator: a request allocates thousands of small, short-lived
/// objects (GraphQL values, rows, JSON), and glibc's malloc was a quarter of the server's CPU in
/// the queue profile (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Tongxin (童心) GraphQL server. Every option can also be set by its environment variable.
#[derive(Parser)]
#[command(name = "api", version, about)]
struct Cli {
    #[command(flatten)]
    config: Config,
    /// Also create demo accounts and data, and print their logins.
    #[arg(long)]
    demo: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Account administration.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Print the GraphQL SDL (what `schema.graphql` holds).
    ExportSchema,
    /// Apply pending migrations and exit (for deployments that migrate as a step of their own,
    /// with `MIGRATE_ON_START=false` on the servers). Replicas starting meanwhile wait for it.
    Migrate,
    /// PII key maintenance (see "Keys and their rotation" in the README).
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
}

#[derive(Subcommand)]
enum KeysAction {
    /// Re-encrypt every stored ID and residence-permit number under the first key of PII_KEYS,
    /// in batches; afterwards the old keys no stored value uses may leave PII_KEYS.
    Reencrypt {
        /// Rows per transaction.
        #[arg(long, default_value_t = 500)]
        batch_size: u64,
    },
    /// Decrypt every stored number with the configured keys and fail if one does not decrypt
    /// (after a restore, before a deployment); changes nothing.
    Check,
}

#[derive(Subcommand)]
enum AdminAction {
    /// Create the first admin (or reset an existing account to admin with this password).
    Create {
        /// Login e-mail.
        #[arg(long)]
        email: String,
        /// Password (at least 10 characters, letters and digits). Read from ADMIN_PASSWORD if omitted.
        #[arg(long, env = "ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let traces = match cli.config.otel_exporter_otlp_endpoint.as_deref().map(api::telemetry::tracer_provider).transpose() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    api::telemetry::init(cli.config.environment == Environment::Production, traces.as_ref());
    let result = run(cli).await;
    if let Some(t) = traces {
        api::telemetry::shutdown(t).await;
    }
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    if let Some(Command::ExportSchema) = cli.command {
        print!("{}", api::graphql::sdl());
        return Ok(());
    }
    if let Some(Command::Migrate) = cli.command {
        return migrate(&cli.config).await;
    }
    let state = api::build_state(cli.config, None).await?;
    match cli.command {
        Some(Command::Admin { action: AdminAction::Create { email, password } }) => {
            let id = api::services::accounts::create_admin(&state, &email, &password).await.map_err(|e| e.message(api::error::Lang::En))?;
            println!("admin {email} ready (id {id})");
            return Ok(());
        }
        Some(Command::Keys { action }) => return keys(&state, action).await,
        Some(Command::ExportSchema | Command::Migrate) => unreachable!("handled above"),
        None => {}
    }
    if cli.demo {
        let logins = api::demo::seed(&state).await.map_err(|e| format!("demo data: {e}"))?;
        println!("\nDemo accounts (password for all: {}):", api::demo::DEMO_PASSWORD);
        for (role, email) in logins {
            println!("  {role:<22} {email}");
        }
    }
    let listener = tokio::net::TcpListener::bind(state.config.bind).await.map_err(|e| format!("BIND {}: {e}", state.config.bind))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    if state.config.graphiql_enabled() {
        println!("\nTongxin is running. GraphiQL: http://{addr}/graphql");
    }
    tracing::info!(%addr, environment = ?state.config.environment, mail = state.mailer.kind(), "listening");
    api::serve(state, listener, api::shutdown_signal()).await.map_err(|e| e.to_string())
}

/// `api migrate`: only the database, so it runs without the server's keys or mail settings.
async fn migrate(config: &Config) -> Result<(), String> {
    let db = api::db::connect(config).await.map_err(|e| format!("database: {e}"))?;
    let pending = api::db::pending_migrations(&db).await.map_err(|e| format!("migration status: {e}"))?;
    api::db::migrate(&db).await.map_err(|e| format!("migration: {e}"))?;
    let left = api::db::pending_migrations(&db).await.map_err(|e| format!("migration status: {e}"))?;
    if !left.is_empty() {
        return Err(format!("{} migration(s) still pending after migrating: {}", left.len(), left.join(", ")));
    }
    if pending.is_empty() {
        println!("database schema up to date: nothing to migrate");
    } else {
        println!("database schema up to date; pending before this run: {}", pending.join(", "));
    }
    Ok(())
}

async fn keys(state: &api::state::AppState, action: KeysAction) -> Result<(), String> {
    use api::services::key_rotation;
    let report = match action {
        KeysAction::Reencrypt { batch_size } => {
            let docs =
                api::services::documents::rotation::reencrypt(state, batch_size).await.map_err(|e| format!("keys: documents: {e}"))?;
            println!("keys: {} document(s) re-encrypted, {} unreadable", docs.rewritten, docs.unreadable);
            key_rotation::reencrypt(&state.db, &state.pii, batch_size).await
        }
        KeysAction::Check => key_rotation::check(&state.db, &state.pii, 500).await,
    }
    .map_err(|e| format!("keys: {e}"))?;
    println!("keys: {report}");
    if report.unreadable.is_empty() { Ok(()) } else { Err(format!("keys: stored values do not decrypt: {report}")) }
}
