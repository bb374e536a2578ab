//! Running commands with their output shown, and capturing it where we parse it.

use anyhow::{Context, Result, bail};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

/// Runs a command, streaming its output, and fails when it exits non-zero.
pub fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("could not start {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}

/// Runs a command, streaming its stdout and stderr to ours while keeping a copy, and
/// returns (success, combined output) so test counts can be read from it.
pub fn run_teed(cmd: &mut Command) -> Result<(bool, String)> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start {cmd:?}"))?;
    let stderr = child.stderr.take().context("stderr was piped")?;
    let err_thread = std::thread::spawn(move || {
        let mut copy = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            eprintln!("{line}");
            copy.push_str(&line);
            copy.push('\n');
        }
        copy
    });
    let mut out = String::new();
    let stdout = child.stdout.take().context("stdout was piped")?;
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        println!("{line}");
        out.push_str(&line);
        out.push('\n');
    }
    std::io::stdout().flush().ok();
    let status = child.wait()?;
    out.push_str(&err_thread.join().unwrap_or_default());
    Ok((status.success(), out))
}

/// The first line of a command's stdout, or `None` if it cannot run.
pub fn output_line(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .map(|l| l.trim().to_string())
}
