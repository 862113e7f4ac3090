//! `api`: runs the Tongxin server, and the operator commands (first admin, SDL export).

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
    init_tracing(cli.config.environment);
    match run(cli).await {
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
    let state = api::build_state(cli.config, None).await?;
    match cli.command {
        Some(Command::Admin { action: AdminAction::Create { email, password } }) => {
            let id = api::services::accounts::create_admin(&state, &email, &password).await.map_err(|e| e.message(api::error::Lang::En))?;
            println!("admin {email} ready (id {id})");
            return Ok(());
        }
        Some(Command::Keys { action }) => return keys(&state, action).await,
        Some(Command::ExportSchema) => unreachable!("handled above"),
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

async fn keys(state: &api::state::AppState, action: KeysAction) -> Result<(), String> {
    use api::services::key_rotation;
    let report = match action {
        KeysAction::Reencrypt { batch_size } => key_rotation::reencrypt(&state.db, &state.pii, batch_size).await,
        KeysAction::Check => key_rotation::check(&state.db, &state.pii, 500).await,
    }
    .map_err(|e| format!("keys: {e}"))?;
    println!("keys: {report}");
    if report.unreadable.is_empty() { Ok(()) } else { Err(format!("keys: stored values do not decrypt: {report}")) }
}

fn init_tracing(env: Environment) {
    use tracing_subscriber::{EnvFilter, fmt};
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    if env == Environment::Production {
        fmt().json().with_env_filter(filter).init();
    } else {
        fmt().with_env_filter(filter).init();
    }
}
