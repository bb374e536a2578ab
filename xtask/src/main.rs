//! `cargo xtask`: the project's own commands, so that a fresh machine needs two.
//!
//! - `setup`: installs what the build and tests need (idempotent; seconds when done).
//! - `serve`: setup, build the page, serve it with the demo model.
//! - `test`: setup, then every check CI runs, ending with `N passed, N failed`.
//! - `bench`: measures speed and memory and writes `BENCHMARKS.md`.
//! - `fuzz [TARGET] [--seconds N]`: the cargo-fuzz targets in `fuzz/`, with seed corpora.
//! - `tiny-model DIR`: writes the tiny seeded llama (Hugging Face folder and GGUF).
//! - `hub-fixture`: makes or refreshes the test hub's files (`serve` does it too).

mod bench;
mod disk;
mod examples;
mod fuzz;
mod hub;
mod paths;
mod server;
mod setup;
mod shell;
mod test;

use clap::{Parser, Subcommand};
use mechscope_testkit::tiny_model;
use std::path::PathBuf;

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
    /// Fuzz the parsers: build the targets in fuzz/ once, write their seed corpora
    /// (~/.cache/mechscope/fuzz-corpus), run one target or all, one at a time. Needs the
    /// nightly toolchain (skips without it); installs cargo-fuzz if missing.
    Fuzz {
        /// One of the targets (default: all of them, in turn).
        target: Option<String>,
        /// How long each target runs.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Only write the seed corpora (e.g. to run the fuzzers by hand).
        #[arg(long)]
        seeds_only: bool,
        /// The short run of `cargo xtask test`: every target but `report_json`, whose
        /// sanitizer build of burn would dominate a fresh machine's test run.
        #[arg(long)]
        smoke: bool,
    },
    /// Make the teaching demo's example reports (public/examples/) with the CLI on the
    /// demo model: LPP, MUI and AIS on three benchmarks; minutes of CPU.
    Examples,
    /// Write the tiny seeded llama into DIR: its Hugging Face files (config, tokenizer,
    /// model.safetensors) and its GGUF. The PyTorch reference script reads this folder.
    TinyModel {
        dir: PathBuf,
        #[arg(long, default_value_t = tiny_model::TINY_LLAMA_SEED)]
        seed: u64,
    },
    /// Make or refresh the test hub's files (what `serve` mounts at /hub/) and print
    /// where they are.
    HubFixture,
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
        Command::Fuzz {
            target,
            seconds,
            seeds_only,
            smoke,
        } => fuzz::run(&paths, target.as_deref(), seconds, seeds_only, smoke),
        Command::Examples => examples::run(&paths),
        Command::TinyModel { dir, seed } => {
            tiny_model::tiny_llama_hf(seed).write_to(&dir)?;
            std::fs::write(
                dir.join(tiny_model::TINY_LLAMA_GGUF_NAME),
                tiny_model::tiny_llama_gguf(seed),
            )?;
            println!("wrote the tiny llama (seed {seed}) to {}", dir.display());
            Ok(())
        }
        Command::HubFixture => {
            let fixture = hub::fixture::ensure(&paths.hub_fixture())?;
            println!("{}", fixture.root.display());
            for (id, repo) in &fixture.repos {
                println!("  {id} (sha {}, {:?})", repo.sha, repo.fault);
            }
            Ok(())
        }
    }
}
