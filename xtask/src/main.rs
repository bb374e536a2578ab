//! `cargo xtask`: the project's own commands, so that a fresh machine needs two.
//!
//! - `setup`: installs what the build and tests need (idempotent; seconds when done).
//! - `serve`: setup, build the page, serve it with the demo model.
//! - `test`: setup, then every check CI runs, ending with `N passed, N failed`.
//! - `bench`: measures speed and memory and writes `BENCHMARKS.md`.

mod bench;
mod disk;
mod paths;
mod server;
mod setup;
mod shell;
mod test;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "MechScope's setup, serve, test and bench commands"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Install the toolchain pieces, browser, node packages and the demo model.
    Setup,
    /// Set up, build the page and serve it (with the demo model) until interrupted.
    Serve {
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Address to bind; 127.0.0.1 keeps the page local to this machine.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Build with the release profile and wasm-opt (slower to build, faster page).
        #[arg(long)]
        release: bool,
    },
    /// Set up, then run every check: fmt, clippy (native and wasm), native tests, wasm
    /// tests in headless Chromium and end-to-end tests of the built page.
    Test {
        /// Skip the browser steps (wasm tests and end-to-end), e.g. while iterating.
        #[arg(long)]
        no_browser: bool,
    },
    /// Measure and write BENCHMARKS.md (every section, or the ones named).
    Bench {
        /// Sections to measure: formats, forward, mui, ais (default: all).
        sections: Vec<bench::Section>,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let paths = paths::Paths::discover()?;
    match cli.command {
        Command::Setup => setup::run(&paths),
        Command::Serve {
            port,
            host,
            release,
        } => {
            setup::run(&paths)?;
            let dist = test::build_page(&paths, release)?;
            server::serve_forever(&paths, &dist, &host, port)
        }
        Command::Test { no_browser } => test::run(&paths, no_browser),
        Command::Bench { sections } => bench::run(&paths, &sections),
    }
}
