//! Model repositories on the Hugging Face hub: naming one, listing its files, and
//! deciding which of them make a model.
//!
//! The page loads a model by repo id the way transformers.js does: the files come from
//! `{hub}/{repo}/resolve/{revision}/{file}`, and the listing (names, sizes, and the
//! sha256 of large files) from `{hub}/api/models/{repo}/revision/{revision}?blobs=true`.
//! The listing is untrusted bytes from the network, so it is parsed here, where no
//! parser may panic.
//!
//! ```
//! use mechscope_formats::hub::{RepoRef, RepoListing, RepoLayout};
//!
//! let repo = RepoRef::parse("HuggingFaceTB/SmolLM2-135M-Instruct").unwrap();
//! assert_eq!(repo.revision, "main");
//! assert_eq!(
//!     repo.file_url("https://huggingface.co", "config.json"),
//!     "https://huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct/resolve/main/config.json"
//! );
//! let listing = RepoListing::parse(br#"{"id": "a/b", "siblings": [
//!     {"rfilename": "config.json", "size": 700},
//!     {"rfilename": "tokenizer.json", "size": 2000000},
//!     {"rfilename": "model.safetensors", "size": 269060552,
//!      "lfs": {"sha256": "5af571cbf074e6d21a03528d2330792e532ca608f24ac70a143f6b369968ab8c", "size": 269060552}}
//! ]}"#).unwrap();
//! assert!(matches!(listing.layout(), Ok(RepoLayout::Safetensors { .. })));
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;

/// Hugging Face's hub, where a repo id is looked up unless the page is told otherwise.
pub const DEFAULT_HUB: &str = "https://huggingface.co";

/// What is wrong with a repo id, a listing, or the files a repo holds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HubError {
    #[error(
        "{0:?} is not a model repo id: write it as owner/name (e.g. HuggingFaceTB/SmolLM2-135M-Instruct), optionally @revision"
    )]
    BadRepoId(String),
    #[error("{0:?} is not a revision (a branch, tag or commit)")]
    BadRevision(String),
    #[error("the hub's file listing is not the JSON it should be: {0}")]
    BadListing(String),
    #[error(
        "{repo} has no weights MechScope reads: it needs model.safetensors (or a sharded \
         model.safetensors.index.json) with config.json and tokenizer.json, or a .gguf file. \
         Its files: {files}"
    )]
    NoWeights { repo: String, files: String },
    #[error("{repo} has safetensors weights but no {missing}, which MechScope needs to read them")]
    MissingFile { repo: String, missing: &'static str },
    #[error("{repo} has no file {file:?}")]
    NoSuchFile { repo: String, file: String },
}

/// A model repo and revision, as the user names it: `owner/name`, `owner/name@rev`, or
/// the repo's address on the hub (`https://huggingface.co/owner/name/tree/rev`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoRef {
    pub repo: String,
    pub revision: String,
}

/// A repo-id segment: what the hub allows in owner and repo names.
fn is_name(segment: &str) -> bool {
    !segment.is_empty()
        && segment.len() <= 96
        && segment != "."
        && segment != ".."
        && segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Percent-encodes everything but unreserved characters (RFC 3986), so that a
/// revision like `refs/pr/1` stays one path segment.
fn encode_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

impl RepoRef {
    /// Reads what a user typed or pasted; the revision defaults to `main`.
    pub fn parse(text: &str) -> Result<Self, HubError> {
        let trimmed = text.trim();
        let bad = || HubError::BadRepoId(text.to_string());
        // A pasted address: keep the path after the host.
        let path = ["https://", "http://"]
            .iter()
            .find_map(|scheme| trimmed.strip_prefix(scheme))
            .map(|rest| rest.split_once('/').map_or("", |(_, path)| path))
            .unwrap_or(trimmed);
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let (repo_part, revision) = match path.split_once('@') {
            Some((repo, rev)) => (repo, Some(rev.to_string())),
            None => (path, None),
        };
        let segments: Vec<&str> = repo_part.trim_matches('/').split('/').collect();
        let (repo, revision) = match segments.as_slice() {
            [owner, name] => (format!("{owner}/{name}"), revision),
            // …/owner/name/tree/rev or …/blob/rev/file from a pasted address.
            [owner, name, "tree" | "blob" | "resolve", rev, ..] if revision.is_none() => {
                (format!("{owner}/{name}"), Some((*rev).to_string()))
            }
            [name] => (name.to_string(), revision),
            _ => return Err(bad()),
        };
        if !repo.split('/').all(is_name) {
            return Err(bad());
        }
        let revision = revision.unwrap_or_else(|| "main".to_string());
        if revision.is_empty()
            || revision.len() > 256
            || revision.split('/').any(|s| s.is_empty() || s == "..")
            || revision.chars().any(|c| c.is_control() || c == ' ')
        {
            return Err(HubError::BadRevision(revision));
        }
        Ok(RepoRef { repo, revision })
    }

    /// Where a file of this revision is downloaded from.
    pub fn file_url(&self, hub: &str, file: &str) -> String {
        let file: Vec<String> = file.split('/').map(encode_segment).collect();
        format!(
            "{}/{}/resolve/{}/{}",
            hub.trim_end_matches('/'),
            self.repo,
            encode_segment(&self.revision),
            file.join("/")
        )
    }

    /// Where this revision's file listing (with sizes and sha256) is read from.
    pub fn listing_url(&self, hub: &str) -> String {
        format!(
            "{}/api/models/{}/revision/{}?blobs=true",
            hub.trim_end_matches('/'),
            self.repo,
            encode_segment(&self.revision)
        )
    }
}

impl fmt::Display for RepoRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.revision == "main" {
            write!(f, "{}", self.repo)
        } else {
            write!(f, "{}@{}", self.repo, self.revision)
        }
    }
}

/// One file of a repo, as the listing describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoFile {
    /// The path inside the repo, e.g. `model.safetensors` or `onnx/model.onnx`.
    pub name: String,
    pub size: Option<u64>,
    /// The content's sha256 (lowercase hex), which the hub gives for large (LFS) files.
    pub sha256: Option<String>,
}

/// A repo's files at one revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoListing {
    pub id: String,
    /// The commit the revision resolved to.
    pub commit: Option<String>,
    pub files: Vec<RepoFile>,
}

#[derive(Deserialize)]
struct RawListing {
    #[serde(default)]
    id: Option<String>,
    #[serde(default, rename = "modelId")]
    model_id: Option<String>,
    #[serde(default)]
    sha: Option<String>,
    #[serde(default)]
    siblings: Option<Vec<RawSibling>>,
}

#[derive(Deserialize)]
struct RawSibling {
    rfilename: String,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    lfs: Option<RawLfs>,
}

#[derive(Deserialize)]
struct RawLfs {
    #[serde(default)]
    sha256: Option<String>,
    #[serde(default)]
    size: Option<u64>,
}

fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// How a repo's files make a model.
// Made once per lookup: the variants' size difference costs nothing worth a Box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoLayout {
    /// transformers' layout: the config, the tokenizer, and the weights in one file or
    /// in shards an index names (their names come with the index).
    Safetensors {
        config: RepoFile,
        tokenizer: RepoFile,
        tokenizer_config: Option<RepoFile>,
        weights: SafetensorsWeights,
        /// GGUF files the repo also has, offered as alternatives.
        gguf: Vec<RepoFile>,
    },
    /// GGUF files only: each is a whole model; the user picks one (several
    /// quantisations are usual).
    Gguf { files: Vec<RepoFile> },
}

/// Where a safetensors repo keeps its weights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SafetensorsWeights {
    Single(RepoFile),
    /// `model.safetensors.index.json`: the shards are read from it.
    Sharded {
        index: RepoFile,
    },
}

impl RepoListing {
    /// Parses the hub's `api/models/{repo}/revision/{rev}` answer.
    pub fn parse(bytes: &[u8]) -> Result<Self, HubError> {
        let raw: RawListing = serde_json::from_slice(bytes)
            .map_err(|e| HubError::BadListing(crate::json::describe_error(&e)))?;
        let siblings = raw
            .siblings
            .ok_or_else(|| HubError::BadListing("it has no \"siblings\" (file list)".into()))?;
        let files = siblings
            .into_iter()
            .map(|s| {
                let lfs_size = s.lfs.as_ref().and_then(|l| l.size);
                RepoFile {
                    name: s.rfilename,
                    size: s.size.or(lfs_size),
                    sha256: s
                        .lfs
                        .and_then(|l| l.sha256)
                        .filter(|h| is_sha256(h))
                        .map(|h| h.to_ascii_lowercase()),
                }
            })
            .collect();
        Ok(RepoListing {
            id: raw.id.or(raw.model_id).unwrap_or_default(),
            commit: raw.sha,
            files,
        })
    }

    /// The file named `name`, if the repo has it.
    pub fn file(&self, name: &str) -> Option<&RepoFile> {
        self.files.iter().find(|f| f.name == name)
    }

    /// The file named `name`, or an error naming the repo.
    pub fn require(&self, name: &str) -> Result<&RepoFile, HubError> {
        self.file(name).ok_or_else(|| HubError::NoSuchFile {
            repo: self.id.clone(),
            file: name.to_string(),
        })
    }

    /// The repo's GGUF files, smallest first (the quickest to try).
    pub fn gguf_files(&self) -> Vec<RepoFile> {
        let mut files: Vec<RepoFile> = self
            .files
            .iter()
            .filter(|f| f.name.to_ascii_lowercase().ends_with(".gguf"))
            .cloned()
            .collect();
        files.sort_by_key(|f| (f.size.unwrap_or(u64::MAX), f.name.clone()));
        files
    }

    /// Which files make the model: transformers' layout at the repo's top level when it
    /// is there, else its GGUF files.
    pub fn layout(&self) -> Result<RepoLayout, HubError> {
        let gguf = self.gguf_files();
        let weights = match (
            self.file("model.safetensors"),
            self.file("model.safetensors.index.json"),
        ) {
            (Some(single), _) => Some(SafetensorsWeights::Single(single.clone())),
            (None, Some(index)) => Some(SafetensorsWeights::Sharded {
                index: index.clone(),
            }),
            (None, None) => None,
        };
        match weights {
            Some(weights) => {
                let missing = |missing| HubError::MissingFile {
                    repo: self.id.clone(),
                    missing,
                };
                Ok(RepoLayout::Safetensors {
                    config: self
                        .file("config.json")
                        .cloned()
                        .ok_or_else(|| missing("config.json"))?,
                    tokenizer: self
                        .file("tokenizer.json")
                        .cloned()
                        .ok_or_else(|| missing("tokenizer.json"))?,
                    tokenizer_config: self.file("tokenizer_config.json").cloned(),
                    weights,
                    gguf,
                })
            }
            None if !gguf.is_empty() => Ok(RepoLayout::Gguf { files: gguf }),
            None => Err(HubError::NoWeights {
                repo: self.id.clone(),
                files: self.file_names(12),
            }),
        }
    }

    /// Up to `max` file names, for messages.
    fn file_names(&self, max: usize) -> String {
        let mut names: Vec<&str> = self
            .files
            .iter()
            .take(max)
            .map(|f| f.name.as_str())
            .collect();
        if self.files.len() > max {
            names.push("…");
        }
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_ids_parse_from_what_users_type_and_paste() {
        let cases = [
            (
                "HuggingFaceTB/SmolLM2-135M-Instruct",
                "HuggingFaceTB/SmolLM2-135M-Instruct",
                "main",
            ),
            ("  a/b@v1.0 ", "a/b", "v1.0"),
            ("gpt2", "gpt2", "main"),
            ("https://huggingface.co/a/b", "a/b", "main"),
            ("https://huggingface.co/a/b/tree/dev", "a/b", "dev"),
            (
                "https://huggingface.co/a/b/blob/abc123/config.json",
                "a/b",
                "abc123",
            ),
            ("a/b@refs/pr/1", "a/b", "refs/pr/1"),
        ];
        for (text, repo, rev) in cases {
            let parsed = RepoRef::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(
                (parsed.repo.as_str(), parsed.revision.as_str()),
                (repo, rev),
                "{text}"
            );
        }
        for bad in [
            "",
            "a/b/c",
            "../x",
            "a/..",
            "a b/c",
            "a/b@",
            "a/b@x/../y",
            "/",
            "a//b",
        ] {
            assert!(RepoRef::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn urls_keep_a_revision_one_segment() {
        let r = RepoRef::parse("a/b@refs/pr/1").unwrap();
        assert_eq!(
            r.file_url("http://h/hub/", "x y.json"),
            "http://h/hub/a/b/resolve/refs%2Fpr%2F1/x%20y.json"
        );
        assert_eq!(
            r.listing_url("http://h"),
            "http://h/api/models/a/b/revision/refs%2Fpr%2F1?blobs=true"
        );
        assert_eq!(r.to_string(), "a/b@refs/pr/1");
        let sub = RepoRef::parse("a/b").unwrap();
        assert_eq!(
            sub.file_url("http://h", "dir/m.gguf"),
            "http://h/a/b/resolve/main/dir/m.gguf"
        );
    }

    fn listing(files: &str) -> RepoListing {
        RepoListing::parse(
            format!(r#"{{"id": "o/r", "sha": "abc", "siblings": [{files}]}}"#).as_bytes(),
        )
        .expect("a listing")
    }

    #[test]
    fn lfs_files_carry_size_and_sha256() {
        let sha = "A".repeat(64);
        let l = listing(&format!(
            r#"{{"rfilename": "model.safetensors", "lfs": {{"sha256": "{sha}", "size": 10}}}},
               {{"rfilename": "config.json", "size": 3}},
               {{"rfilename": "weird.bin", "lfs": {{"sha256": "not-hex"}}}}"#
        ));
        assert_eq!(l.commit.as_deref(), Some("abc"));
        let model = l.file("model.safetensors").unwrap();
        assert_eq!(
            (model.size, model.sha256.clone()),
            (Some(10), Some("a".repeat(64)))
        );
        assert_eq!(l.file("config.json").unwrap().sha256, None);
        assert_eq!(
            l.file("weird.bin").unwrap().sha256,
            None,
            "a malformed hash is dropped"
        );
    }

    #[test]
    fn layouts_are_chosen_like_transformers_then_gguf() {
        let l = listing(
            r#"{"rfilename": "config.json"}, {"rfilename": "tokenizer.json"},
               {"rfilename": "model.safetensors.index.json"}, {"rfilename": "m.Q8_0.gguf", "size": 9}"#,
        );
        match l.layout().unwrap() {
            RepoLayout::Safetensors {
                weights,
                tokenizer_config,
                gguf,
                ..
            } => {
                assert!(matches!(weights, SafetensorsWeights::Sharded { .. }));
                assert_eq!(tokenizer_config, None);
                assert_eq!(gguf.len(), 1);
            }
            other => panic!("{other:?}"),
        }
        let g = listing(
            r#"{"rfilename": "README.md"}, {"rfilename": "b.Q8_0.gguf", "size": 9},
               {"rfilename": "a.Q4_K_M.GGUF", "size": 5}, {"rfilename": "c.gguf"}"#,
        );
        let RepoLayout::Gguf { files } = g.layout().unwrap() else {
            panic!("gguf")
        };
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["a.Q4_K_M.GGUF", "b.Q8_0.gguf", "c.gguf"],
            "smallest first, unknown size last"
        );
        let no_tok = listing(r#"{"rfilename": "config.json"}, {"rfilename": "model.safetensors"}"#);
        assert_eq!(
            no_tok.layout(),
            Err(HubError::MissingFile {
                repo: "o/r".into(),
                missing: "tokenizer.json"
            })
        );
        let none = listing(r#"{"rfilename": "README.md"}, {"rfilename": "model.onnx"}"#);
        let err = none.layout().unwrap_err().to_string();
        assert!(err.contains("README.md, model.onnx"), "{err}");
    }

    #[test]
    fn broken_listings_are_errors_not_panics() {
        for bad in [
            &b""[..],
            b"null",
            b"[]",
            b"{\"id\": 3}",
            b"{\"siblings\": [{\"size\": 3}]}",
            b"{\"siblings\": [{\"rfilename\": \"a\", \"size\": -1}]}",
            b"{\"siblings\": 7}",
            b"\xff\xfe",
        ] {
            assert!(
                RepoListing::parse(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        // Unknown fields and a missing id are fine: the hub adds fields over time.
        let ok =
            RepoListing::parse(br#"{"modelId": "x/y", "siblings": [], "private": false}"#).unwrap();
        assert_eq!(ok.id, "x/y");
    }
}
