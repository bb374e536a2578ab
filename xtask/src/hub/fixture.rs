//! The fixture's repositories: their files, their listings, and writing them to disk.
//!
//! Everything is made in memory from the tiny seeded model (milliseconds), then the
//! directory is brought to exactly that content: files whose bytes differ are replaced
//! (through a temporary file and a rename, so a server reading the old file never sees
//! half of the new one), files that no longer belong are removed. A stale or partial
//! fixture therefore repairs itself on the next start, and an up-to-date one is only read.

use anyhow::{Context, Result};
use mechscope_testkit::tiny_model::{self, TINY_LLAMA_GGUF_NAME, TINY_LLAMA_SEED};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The only branch the fixture has; a repository's commit id is accepted too.
pub const MAIN: &str = "main";

/// The one timestamp every listing shows, so listings are byte-identical between runs.
const LAST_MODIFIED: &str = "2025-01-01T00:00:00.000Z";

/// Files stored in Git LFS on the real hub (its default `.gitattributes`): the listing
/// gives them an `lfs` entry with their sha256.
fn is_lfs(file: &str) -> bool {
    file.ends_with(".safetensors") || file.ends_with(".gguf")
}

/// What a repository does wrong, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// A well-formed repository.
    None,
    /// `model.safetensors`' header length points past the end of the file; the listing
    /// matches the bytes served.
    CorruptSafetensors,
    /// The listing's `lfs.sha256` of `model.safetensors` is not the served bytes' hash.
    BadSha256,
    /// `model.safetensors` is sent with its full `Content-Length` and the connection is
    /// closed after half of the body.
    CutTransfer,
    /// `config.json` describes a 70-billion-parameter model and the listing has the
    /// shard sizes that go with it; the shards themselves are not there.
    TooLarge,
}

/// The file every fault concerns.
pub const FAULTY_FILE: &str = "model.safetensors";

/// One repository of the fixture.
#[derive(Debug, Clone)]
pub struct Repo {
    /// `owner/name`.
    pub id: &'static str,
    pub fault: Fault,
    /// A stand-in for the commit id: 40 hex digits derived from the content, so it
    /// changes when any file does.
    pub sha: String,
    /// The files served, by name.
    pub files: Vec<(String, Vec<u8>)>,
    /// The listing (`/api/models/{id}/revision/main?blobs=true`) as JSON bytes.
    pub listing: Vec<u8>,
}

/// A file as the listing describes it.
struct Sibling {
    name: String,
    size: u64,
    /// Set for LFS files.
    sha256: Option<String>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// The fixture's repositories, in memory.
pub fn repos() -> Vec<Repo> {
    let hf = tiny_model::tiny_llama_hf(TINY_LLAMA_SEED).files;
    let gguf = vec![(
        TINY_LLAMA_GGUF_NAME.to_string(),
        tiny_model::tiny_llama_gguf(TINY_LLAMA_SEED),
    )];
    let sharded = tiny_model::tiny_llama_hf_sharded(TINY_LLAMA_SEED, 2).files;
    let mut corrupt = hf.clone();
    for (name, bytes) in &mut corrupt {
        if name == FAULTY_FILE {
            corrupt_header_length(bytes);
        }
    }
    let huge = huge_model();
    let specs = [
        RepoSpec {
            id: "mechscope/tiny-llama",
            fault: Fault::None,
            about: "A tiny seeded llama (SmolLM2's layout), F32 safetensors.",
            files: hf.clone(),
            ..RepoSpec::default()
        },
        RepoSpec {
            id: "mechscope/tiny-llama-GGUF",
            fault: Fault::None,
            about: "The tiny seeded llama as an F32 GGUF, as llama.cpp converts it.",
            library: "gguf",
            files: gguf,
            ..RepoSpec::default()
        },
        RepoSpec {
            id: "mechscope/tiny-llama-sharded",
            fault: Fault::None,
            about: "The tiny seeded llama in two safetensors shards.",
            files: sharded,
            ..RepoSpec::default()
        },
        RepoSpec {
            id: "mechscope/tiny-corrupt",
            fault: Fault::CorruptSafetensors,
            about: "Fault: model.safetensors' header length points past its end.",
            files: corrupt,
            ..RepoSpec::default()
        },
        RepoSpec {
            id: "mechscope/tiny-bad-sha",
            fault: Fault::BadSha256,
            about: "Fault: the listing's sha256 of model.safetensors is wrong.",
            files: hf.clone(),
            ..RepoSpec::default()
        },
        RepoSpec {
            id: "mechscope/tiny-cut",
            fault: Fault::CutTransfer,
            about: "Fault: model.safetensors' transfer stops half way.",
            files: hf,
            ..RepoSpec::default()
        },
        RepoSpec {
            id: "mechscope/tiny-huge",
            fault: Fault::TooLarge,
            about: "Fault: a 70B model, far too large for a browser.",
            files: huge.files,
            absent: huge.absent_shards,
            ..RepoSpec::default()
        },
    ];
    specs.into_iter().map(repo).collect()
}

/// What makes a repository: its files, what its model card says, and (for the
/// too-large one) files that are listed but not there.
struct RepoSpec {
    id: &'static str,
    fault: Fault,
    about: &'static str,
    /// The hub's `library_name`.
    library: &'static str,
    files: Vec<(String, Vec<u8>)>,
    absent: Vec<Sibling>,
}

impl Default for RepoSpec {
    fn default() -> Self {
        RepoSpec {
            id: "",
            fault: Fault::None,
            about: "",
            library: "transformers",
            files: Vec::new(),
            absent: Vec::new(),
        }
    }
}

/// A repository: its files with `.gitattributes` and a model card, their listing, and
/// a commit id that changes whenever any of it does.
fn repo(spec: RepoSpec) -> Repo {
    let RepoSpec {
        id,
        fault,
        about,
        library,
        mut files,
        absent,
    } = spec;
    files.push((".gitattributes".into(), GITATTRIBUTES.as_bytes().to_vec()));
    files.push(("README.md".into(), readme(about, library).into_bytes()));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut siblings: Vec<Sibling> = files
        .iter()
        .map(|(name, bytes)| Sibling {
            name: name.clone(),
            size: bytes.len() as u64,
            sha256: is_lfs(name).then(|| sha256_hex(bytes)),
        })
        .chain(absent)
        .collect();
    siblings.sort_by(|a, b| a.name.cmp(&b.name));
    if fault == Fault::BadSha256 {
        for s in &mut siblings {
            if s.name == FAULTY_FILE
                && let Some(sha) = &mut s.sha256
            {
                *sha = wrong_sha256(sha);
            }
        }
    }
    let mut identity = Sha256::new();
    identity.update(id.as_bytes());
    for s in &siblings {
        identity.update(s.name.as_bytes());
        identity.update(s.size.to_le_bytes());
        identity.update(s.sha256.as_deref().unwrap_or("").as_bytes());
    }
    for (_, bytes) in &files {
        identity.update(Sha256::digest(bytes));
    }
    let sha: String = format!("{:x}", identity.finalize())[..40].to_string();
    let listing = listing(id, &sha, &files, &siblings);
    Repo {
        id,
        fault,
        sha,
        files,
        listing,
    }
}

/// The same hash with its last hex digit changed: plausible, and wrong.
fn wrong_sha256(sha: &str) -> String {
    let mut wrong = sha.to_string();
    let last = if sha.ends_with('0') { "1" } else { "0" };
    wrong.replace_range(sha.len().saturating_sub(1).., last);
    wrong
}

/// Makes the 8-byte header length claim more bytes than the file has.
fn corrupt_header_length(bytes: &mut [u8]) {
    let past_the_end = (bytes.len() as u64 + 1_000_000).to_le_bytes();
    if let Some(length) = bytes.get_mut(..8) {
        length.copy_from_slice(&past_the_end);
    }
}

/// The listing as `GET /api/models/{id}/revision/main?blobs=true` returns it: the
/// fields a client reads (`id`, `sha`, `siblings` with sizes and LFS hashes) and enough
/// of the rest (`config`, `safetensors`/`gguf`, tags) to look like the real thing.
fn listing(id: &str, sha: &str, files: &[(String, Vec<u8>)], siblings: &[Sibling]) -> Vec<u8> {
    let file = |name: &str| files.iter().find(|(n, _)| n == name).map(|(_, b)| b);
    let config: Option<Value> = file("config.json").and_then(|b| serde_json::from_slice(b).ok());
    let is_gguf = siblings.iter().any(|s| s.name.ends_with(".gguf"));
    let mut info = serde_json::Map::new();
    let author = id.split('/').next().unwrap_or(id);
    // A stable 24-hex-digit object id, as the hub's `_id`.
    info.insert("_id".into(), json!(sha256_hex(id.as_bytes())[..24]));
    info.insert("id".into(), json!(id));
    info.insert("modelId".into(), json!(id));
    info.insert("author".into(), json!(author));
    info.insert("sha".into(), json!(sha));
    info.insert("lastModified".into(), json!(LAST_MODIFIED));
    info.insert("createdAt".into(), json!(LAST_MODIFIED));
    info.insert("private".into(), json!(false));
    info.insert("disabled".into(), json!(false));
    info.insert("gated".into(), json!(false));
    info.insert("downloads".into(), json!(0));
    info.insert("likes".into(), json!(0));
    info.insert("pipeline_tag".into(), json!("text-generation"));
    if is_gguf {
        info.insert("library_name".into(), json!("gguf"));
        info.insert("tags".into(), json!(["gguf", "llama", "text-generation"]));
    } else {
        info.insert("library_name".into(), json!("transformers"));
        info.insert(
            "tags".into(),
            json!(["transformers", "safetensors", "llama", "text-generation"]),
        );
    }
    if let Some(config) = &config {
        info.insert(
            "config".into(),
            json!({
                "architectures": config.get("architectures"),
                "model_type": config.get("model_type"),
            }),
        );
        if let Some(params) = parameter_count(config) {
            let dtype = match config.get("torch_dtype").and_then(Value::as_str) {
                Some("bfloat16") => "BF16",
                Some("float16") => "F16",
                _ => "F32",
            };
            info.insert(
                "safetensors".into(),
                json!({"parameters": {dtype: params}, "total": params}),
            );
        }
    }
    if is_gguf {
        let s = tiny_model::TINY_LLAMA;
        info.insert(
            "gguf".into(),
            json!({
                "total": tiny_llama_parameters(),
                "architecture": "llama",
                "context_length": s.max_positions,
                "bos_token": "<|im_start|>",
                "eos_token": "<|im_end|>",
            }),
        );
    }
    let used: u64 = siblings.iter().map(|s| s.size).sum();
    let siblings: Vec<Value> = siblings
        .iter()
        .map(|s| match &s.sha256 {
            Some(sha256) => json!({
                "rfilename": s.name,
                "size": s.size,
                "lfs": {"sha256": sha256, "size": s.size, "pointerSize": 134},
            }),
            None => json!({"rfilename": s.name, "size": s.size}),
        })
        .collect();

    info.insert("siblings".into(), Value::Array(siblings));
    info.insert("usedStorage".into(), json!(used));
    Value::Object(info).to_string().into_bytes()
}

fn tiny_llama_parameters() -> u64 {
    tiny_model::tiny_llama_tensors(TINY_LLAMA_SEED)
        .iter()
        .map(|t| t.values.len() as u64)
        .sum()
}

/// Parameters of a llama-family `config.json` (embedding, the blocks, the final norm,
/// and the unembedding unless tied).
fn parameter_count(config: &Value) -> Option<u64> {
    let n = |key: &str| config.get(key).and_then(Value::as_u64);
    let (d, ff, layers, vocab) = (
        n("hidden_size")?,
        n("intermediate_size")?,
        n("num_hidden_layers")?,
        n("vocab_size")?,
    );
    let heads = n("num_attention_heads")?;
    let kv = n("num_key_value_heads").unwrap_or(heads);
    let head_dim = d.checked_div(heads)?;
    let attention = 2 * d * heads * head_dim + 2 * d * kv * head_dim;
    let block = attention + 3 * d * ff + 2 * d;
    let tied = config
        .get("tie_word_embeddings")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Some(vocab * d * if tied { 1 } else { 2 } + layers * block + d)
}

const GITATTRIBUTES: &str = "\
*.gguf filter=lfs diff=lfs merge=lfs -text
*.safetensors filter=lfs diff=lfs merge=lfs -text
";

/// A model card; `library` is the hub's `library_name` (`transformers`, `gguf`).
fn readme(what: &str, library: &str) -> String {
    format!(
        "---\nlicense: apache-2.0\nlibrary_name: {library}\npipeline_tag: text-generation\n---\n\n\
         # Test fixture\n\n{what}\n\nMade by `cargo xtask` from `mechscope_testkit::tiny_model` \
         (seed {TINY_LLAMA_SEED}) for MechScope's end-to-end tests; not a real model.\n"
    )
}

/// The too-large repository's files and its listed-but-absent shards.
struct Huge {
    files: Vec<(String, Vec<u8>)>,
    absent_shards: Vec<Sibling>,
}

/// Llama 3 70B's shape in BF16 (about 141 GB of weights over 5 GB shards), with the
/// tiny model's tokenizer (a client must refuse the model from its size before any
/// tokenizer matters).
fn huge_model() -> Huge {
    let (d, ff, layers, heads, kv, vocab) = (8192u64, 28672u64, 80u64, 64u64, 8u64, 128_256u64);
    let head_dim = d / heads;
    let config = json!({
        "architectures": ["LlamaForCausalLM"],
        "attention_bias": false,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "hidden_act": "silu",
        "hidden_size": d,
        "intermediate_size": ff,
        "max_position_embeddings": 131_072,
        "mlp_bias": false,
        "model_type": "llama",
        "num_attention_heads": heads,
        "num_hidden_layers": layers,
        "num_key_value_heads": kv,
        "rms_norm_eps": 1e-5,
        "rope_theta": 500_000.0,
        "tie_word_embeddings": false,
        "torch_dtype": "bfloat16",
        "vocab_size": vocab,
    });
    let mut tensors: Vec<(String, Vec<u64>)> =
        vec![("model.embed_tokens.weight".into(), vec![vocab, d])];
    for l in 0..layers {
        let name = |leaf: &str| format!("model.layers.{l}.{leaf}.weight");
        tensors.extend([
            (name("input_layernorm"), vec![d]),
            (name("self_attn.q_proj"), vec![heads * head_dim, d]),
            (name("self_attn.k_proj"), vec![kv * head_dim, d]),
            (name("self_attn.v_proj"), vec![kv * head_dim, d]),
            (name("self_attn.o_proj"), vec![d, heads * head_dim]),
            (name("post_attention_layernorm"), vec![d]),
            (name("mlp.gate_proj"), vec![ff, d]),
            (name("mlp.up_proj"), vec![ff, d]),
            (name("mlp.down_proj"), vec![d, ff]),
        ]);
    }
    tensors.push(("model.norm.weight".into(), vec![d]));
    tensors.push(("lm_head.weight".into(), vec![vocab, d]));

    // save_pretrained's default max_shard_size, filled in checkpoint order.
    const MAX_SHARD_BYTES: u64 = 5_000_000_000;
    let bytes_of = |shape: &[u64]| shape.iter().product::<u64>() * 2;
    let mut shards: Vec<Vec<&(String, Vec<u64>)>> = vec![Vec::new()];
    let mut filled = 0;
    for t in &tensors {
        let size = bytes_of(&t.1);
        if filled + size > MAX_SHARD_BYTES && shards.last().is_some_and(|s| !s.is_empty()) {
            shards.push(Vec::new());
            filled = 0;
        }
        if let Some(last) = shards.last_mut() {
            last.push(t);
        }
        filled += size;
    }
    let count = shards.len();
    let mut weight_map = serde_json::Map::new();
    let mut absent_shards = Vec::new();
    for (i, shard) in shards.iter().enumerate() {
        let name = format!("model-{:05}-of-{count:05}.safetensors", i + 1);
        // The header the shard would have (names sorted, as the writer sorts them): its
        // size makes the listed file size exact, and its hash stands in for the file's.
        let mut sorted = shard.clone();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let mut header = serde_json::Map::new();
        header.insert("__metadata__".into(), json!({"format": "pt"}));
        let mut offset = 0;
        for (tensor, shape) in &sorted {
            let end = offset + bytes_of(shape);
            header.insert(
                tensor.clone(),
                json!({"dtype": "BF16", "shape": shape, "data_offsets": [offset, end]}),
            );
            weight_map.insert(tensor.clone(), json!(name));
            offset = end;
        }
        let mut header = Value::Object(header).to_string().into_bytes();
        header.resize(header.len().next_multiple_of(8), b' ');
        absent_shards.push(Sibling {
            name,
            size: 8 + header.len() as u64 + offset,
            sha256: Some(sha256_hex(&header)),
        });
    }
    let total: u64 = tensors.iter().map(|t| bytes_of(&t.1)).sum();
    let index = json!({"metadata": {"total_size": total}, "weight_map": weight_map});
    let pretty = |v: &Value| format!("{v:#}\n").into_bytes();
    let tiny = tiny_model::tiny_llama_hf(TINY_LLAMA_SEED);
    let mut files = vec![
        ("config.json".to_string(), pretty(&config)),
        ("model.safetensors.index.json".to_string(), pretty(&index)),
    ];
    for name in [
        "tokenizer.json",
        "tokenizer_config.json",
        "generation_config.json",
    ] {
        if let Some(bytes) = tiny.get(name) {
            files.push((name.to_string(), bytes.to_vec()));
        }
    }
    Huge {
        files,
        absent_shards,
    }
}

/// Where a repository's file lies in the fixture directory (mirroring its URL under
/// `/hub/`).
pub fn file_path(root: &Path, repo: &str, file: &str) -> PathBuf {
    root.join(repo).join("resolve").join(MAIN).join(file)
}

/// Where a repository's listing lies (its URL under `/hub/`, no extension).
pub fn listing_path(root: &Path, repo: &str) -> PathBuf {
    root.join("api/models")
        .join(repo)
        .join("revision")
        .join(MAIN)
}

/// What the server needs to know of a repository.
#[derive(Debug, Clone)]
pub struct RepoSummary {
    pub fault: Fault,
    pub sha: String,
    /// sha256 of each file served, for ETags.
    pub file_sha256: BTreeMap<String, String>,
}

/// The fixture on disk.
#[derive(Debug, Clone)]
pub struct HubFixture {
    pub root: PathBuf,
    /// By repository id.
    pub repos: BTreeMap<String, RepoSummary>,
}

/// Brings `root` to the fixture's content (see the module doc) and describes it.
pub fn ensure(root: &Path) -> Result<HubFixture> {
    let repos = repos();
    let mut wanted: BTreeMap<PathBuf, &[u8]> = BTreeMap::new();
    let mut summaries = BTreeMap::new();
    for repo in &repos {
        wanted.insert(listing_path(root, repo.id), &repo.listing);
        for (name, bytes) in &repo.files {
            wanted.insert(file_path(root, repo.id, name), bytes);
        }
        summaries.insert(
            repo.id.to_string(),
            RepoSummary {
                fault: repo.fault,
                sha: repo.sha.clone(),
                file_sha256: repo
                    .files
                    .iter()
                    .map(|(n, b)| (n.clone(), sha256_hex(b)))
                    .collect(),
            },
        );
    }
    for (path, bytes) in &wanted {
        if std::fs::read(path).is_ok_and(|old| old == *bytes) {
            continue;
        }
        let dir = path.parent().context("a fixture file has a directory")?;
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let mut partial = path.clone().into_os_string();
        partial.push(format!(".partial-{}", std::process::id()));
        let partial = PathBuf::from(partial);
        std::fs::write(&partial, bytes)
            .with_context(|| format!("writing {}", partial.display()))?;
        std::fs::rename(&partial, path)
            .with_context(|| format!("moving {} into place", path.display()))?;
    }
    remove_unwanted(root, &wanted)?;
    Ok(HubFixture {
        root: root.to_path_buf(),
        repos: summaries,
    })
}

/// Deletes files under `dir` that are not wanted (left by an older fixture).
fn remove_unwanted(dir: &Path, wanted: &BTreeMap<PathBuf, &[u8]>) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            remove_unwanted(&path, wanted)?;
        } else if !wanted.contains_key(&path)
            // Another process may be writing the same fixture at this moment.
            && !path.to_string_lossy().contains(".partial-")
        {
            std::fs::remove_file(&path)
                .with_context(|| format!("removing the stale {}", path.display()))?;
        }
    }
    Ok(())
}
