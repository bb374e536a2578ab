//! Tokenizers and chat templates: text to token ids and back, for every layout a model
//! arrives in.
//!
//! - Hugging Face: `tokenizer.json` (+ `tokenizer_config.json` for BOS/EOS, `add_bos_token`
//!   and the chat template): [`Tokenizer::from_tokenizer_json`].
//! - GGUF: the `tokenizer.ggml.*` metadata, rebuilt into the same pipeline the model's own
//!   `tokenizer.json` describes: [`Tokenizer::from_gguf`]. Byte-level BPE (`model = "gpt2"`)
//!   with the pre-tokenizer named by `tokenizer.ggml.pre` (see [`SUPPORTED_PRE_TOKENIZERS`]),
//!   and SentencePiece BPE (`model = "llama"`, e.g. Gemma 3) with byte fallback.
//! - GPT-2's original `encoder.json` + `vocab.bpe`: [`Tokenizer::from_gpt2_files`].
//!
//! The actual encoding is done by Hugging Face's `tokenizers` crate, built programmatically
//! from the metadata, so the ids are those of the reference implementation rather than of
//! a re-implementation. Chat templates are Jinja, rendered with minijinja under the same
//! settings `transformers` uses (`trim_blocks`, `lstrip_blocks`, Python string methods,
//! `raise_exception`, a Python-compatible `tojson`).
//!
//! Everything here reads untrusted input (files users drop): malformed vocabularies,
//! merges or templates give a [`TokenizerError`] naming what is wrong, never a panic.
//!
//! ```
//! use mechscope_formats::tokenizer::{Tokenizer, TokenizerError};
//!
//! // A tokenizer.json that is not JSON is an error that says so.
//! let err = Tokenizer::from_tokenizer_json(b"{not json", None).unwrap_err();
//! assert!(matches!(err, TokenizerError::InvalidTokenizerJson(_)));
//! ```

mod byte_level;
mod chat;
mod gguf;
mod pre;
mod validate;

#[cfg(test)]
mod tests;

pub use chat::{ChatMessage, MAX_RENDER_STEPS, MAX_RENDERED_BYTES, MAX_TOJSON_INDENT};
pub use pre::{BytePreTokenizer, SUPPORTED_PRE_TOKENIZERS};

use crate::gguf::GgufHeader;
use std::collections::HashMap;
use thiserror::Error;
use tokenizers::AddedToken;

/// Everything that can be wrong with a tokenizer's files or with its use.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum TokenizerError {
    #[error("tokenizer.json is not a valid tokenizer: {0}")]
    InvalidTokenizerJson(String),
    #[error("tokenizer_config.json is not valid: {0}")]
    InvalidTokenizerConfig(String),
    #[error("the GGUF metadata has no {key:?}, which {needed_for}")]
    MissingKey {
        key: String,
        needed_for: &'static str,
    },
    #[error("the GGUF metadata {key:?} is {found}, but a tokenizer needs {expected}")]
    WrongType {
        key: String,
        expected: &'static str,
        found: String,
    },
    #[error("{key:?} has {found} entries but the vocabulary has {expected} tokens")]
    LengthMismatch {
        key: String,
        found: usize,
        expected: usize,
    },
    #[error(
        "{file} gives the token {piece:?} the id {id}, beyond the limit of {limit} tokens: \
         the file is corrupt"
    )]
    VocabularyTooLarge {
        file: &'static str,
        piece: String,
        id: u32,
        limit: usize,
    },
    #[error("the vocabulary is empty")]
    EmptyVocabulary,
    #[error("{what} id {id} is outside the vocabulary of {vocab_size} tokens")]
    IdOutOfRange {
        what: String,
        id: u64,
        vocab_size: usize,
    },
    #[error("merge {index} ({merge:?}) is malformed: {reason}")]
    BadMerge {
        index: usize,
        merge: String,
        reason: String,
    },
    #[error(
        "tokenizer model {0:?} is not supported: MechScope reads \"gpt2\" (byte-level BPE) \
         and \"llama\" (SentencePiece BPE with byte fallback)"
    )]
    UnsupportedModel(String),
    #[error(
        "pre-tokenizer {name:?} (tokenizer.ggml.pre) is not supported: its splitting rule is \
         unknown to MechScope, and guessing would give wrong ids. Supported: {supported}. \
         Load the model's tokenizer.json instead"
    )]
    UnsupportedPreTokenizer { name: String, supported: String },
    #[error("token id {id} is not in the vocabulary of {vocab_size} tokens")]
    UnknownId { id: u32, vocab_size: usize },
    #[error("the tokenizer could not {action}: {message}")]
    Backend {
        action: &'static str,
        message: String,
    },
    #[error(
        "this model has no chat template (no tokenizer.chat_template / chat_template in its \
         files): it is probably a base model; use plain text prompts"
    )]
    NoChatTemplate,
    #[error("the chat template does not parse: {0}")]
    ChatTemplateSyntax(String),
    #[error("the chat template refused the conversation: {0}")]
    ChatTemplateRaised(String),
    #[error("the chat template failed while rendering: {0}")]
    ChatTemplateRender(String),
    #[error(
        "the chat template did not finish within {steps} steps for a conversation of \
         {messages} messages: it loops far longer than any template needs, so it is broken \
         or hostile; use another template or plain text prompts"
    )]
    ChatTemplateTooLong { steps: u64, messages: usize },
    #[error(
        "the chat template wrote more than {limit_bytes} bytes for a conversation of \
         {messages} messages: it is broken or hostile; use another template or plain text \
         prompts"
    )]
    ChatTemplateOutputTooLarge { limit_bytes: usize, messages: usize },
}

fn backend(action: &'static str) -> impl Fn(tokenizers::Error) -> TokenizerError {
    move |e| TokenizerError::Backend {
        action,
        message: e.to_string(),
    }
}

/// How the vocabulary spells a piece of text, so [`Tokenizer::token_text`] can show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PieceSpelling {
    /// GPT-2's byte-to-character map (`Ġ` for a space).
    ByteLevel,
    /// SentencePiece: `▁` for a space, `<0xAB>` for a raw byte.
    Metaspace,
    /// The piece is the text.
    Plain,
}

/// Who adds BOS/EOS when [`Tokenizer::encode`] is asked for special tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SpecialTokenRule {
    /// A `tokenizer.json` without an explicit `add_bos_token`/`add_eos_token`: its own
    /// post-processor decides, as in `transformers`.
    PostProcessor,
    /// We add them, as `transformers`' `update_post_processor` does from the flags.
    Flags { add_bos: bool, add_eos: bool },
}

/// A token with its id and text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NamedToken {
    id: u32,
    content: String,
}

/// A tokenizer with its special tokens and chat template.
#[derive(Clone)]
pub struct Tokenizer {
    inner: tokenizers::Tokenizer,
    spelling: PieceSpelling,
    rule: SpecialTokenRule,
    bos: Option<NamedToken>,
    /// The declared EOS first, then the other end-of-generation tokens.
    eos: Vec<NamedToken>,
    chat_template: Option<String>,
    /// One more than the largest id: the number of rows of the model's embedding.
    vocab_size: usize,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer")
            .field("vocab_size", &self.vocab_size)
            .field("spelling", &self.spelling)
            .field("rule", &self.rule)
            .field("bos", &self.bos)
            .field("eos", &self.eos)
            .field("has_chat_template", &self.chat_template.is_some())
            .finish()
    }
}

/// Texts of control tokens that end a generation even when the file declares another EOS
/// (llama.cpp's list, minus model families MechScope does not run): e.g. Qwen's instruct
/// models declare `<|im_end|>` but the base model stops at `<|endoftext|>`, and Gemma's
/// chat turns end with `<end_of_turn>`.
const END_OF_GENERATION_TEXTS: &[&str] = &[
    "<|eot_id|>",
    "<|im_end|>",
    "<|end|>",
    "<end_of_turn>",
    "<|endoftext|>",
    "<|eom_id|>",
    "<EOT>",
    "<|end_of_text|>",
];

impl Tokenizer {
    /// Builds a tokenizer from Hugging Face's `tokenizer.json`, with the optional
    /// `tokenizer_config.json` beside it for the BOS/EOS tokens, `add_bos_token` /
    /// `add_eos_token` and `chat_template` (a string, or a list of `{name, template}` of
    /// which `default` or else the first is used).
    ///
    /// Truncation and padding settings in the file are dropped: MechScope always wants
    /// every token.
    pub fn from_tokenizer_json(
        tokenizer_json: &[u8],
        tokenizer_config_json: Option<&[u8]>,
    ) -> Result<Tokenizer, TokenizerError> {
        let json: serde_json::Value = serde_json::from_slice(tokenizer_json)
            .map_err(|e| TokenizerError::InvalidTokenizerJson(crate::json::describe_error(&e)))?;
        // The tokenizers crate panics on some malformed BPE merges; refuse them first.
        validate::tokenizer_json(&json)?;
        let mut inner: tokenizers::Tokenizer = serde_json::from_value(json)
            .map_err(|e| TokenizerError::InvalidTokenizerJson(crate::json::describe_error(&e)))?;
        inner.with_padding(None);
        inner
            .with_truncation(None)
            .map_err(backend("turn truncation off"))?;

        let config = match tokenizer_config_json {
            None => serde_json::Value::Null,
            Some(bytes) => serde_json::from_slice(bytes).map_err(|e| {
                TokenizerError::InvalidTokenizerConfig(crate::json::describe_error(&e))
            })?,
        };
        if !config.is_null() && !config.is_object() {
            return Err(TokenizerError::InvalidTokenizerConfig(
                "the top level is not a JSON object".into(),
            ));
        }

        let vocab = inner.get_vocab(true);
        let vocab_size = vocab.values().max().map_or(0, |&m| m as usize + 1);
        if vocab_size == 0 {
            return Err(TokenizerError::EmptyVocabulary);
        }
        let named = |key: &str| -> Option<NamedToken> {
            let content = config_token(&config, key)?;
            let id = *vocab.get(&content)?;
            Some(NamedToken { id, content })
        };
        let bos = named("bos_token");
        let declared_eos = named("eos_token");
        let flag = |key: &str| config.get(key).and_then(serde_json::Value::as_bool);
        let rule = match (flag("add_bos_token"), flag("add_eos_token")) {
            (None, None) => SpecialTokenRule::PostProcessor,
            (bos_flag, eos_flag) => SpecialTokenRule::Flags {
                add_bos: bos_flag.unwrap_or(false),
                add_eos: eos_flag.unwrap_or(false),
            },
        };
        let chat_template = config_chat_template(&config)?;
        let spelling = spelling_of_decoder(inner.get_decoder());
        let eos = end_of_generation_tokens(&inner, declared_eos);
        Ok(Tokenizer {
            inner,
            spelling,
            rule,
            bos,
            eos,
            chat_template,
            vocab_size,
        })
    }

    /// Builds the tokenizer a GGUF file describes in its `tokenizer.ggml.*` metadata.
    ///
    /// Needs `tokenizer.ggml.model` and `tokenizer.ggml.tokens`; `"gpt2"` models also need
    /// `tokenizer.ggml.merges`, `"llama"` models `tokenizer.ggml.scores`. Control tokens
    /// (`token_type` 3) become special tokens and user-defined ones (4) are matched whole,
    /// as in the model's own `tokenizer.json`.
    pub fn from_gguf(header: &GgufHeader) -> Result<Tokenizer, TokenizerError> {
        gguf::build(header)
    }

    /// Builds GPT-2's tokenizer from OpenAI's original files: `encoder.json` (piece → id)
    /// and `vocab.bpe` (a `#version` line, then one merge per line). `<|endoftext|>` is
    /// BOS, EOS and the only special token; no BOS is added when encoding.
    pub fn from_gpt2_files(
        encoder_json: &[u8],
        vocab_bpe: &[u8],
    ) -> Result<Tokenizer, TokenizerError> {
        let encoder: HashMap<String, u32> = serde_json::from_slice(encoder_json)
            .map_err(|e| TokenizerError::InvalidTokenizerJson(format!("encoder.json: {e}")))?;
        let text = std::str::from_utf8(vocab_bpe).map_err(|e| TokenizerError::BadMerge {
            index: 0,
            merge: String::new(),
            reason: format!("vocab.bpe is not UTF-8 ({e})"),
        })?;
        let merge_lines = text
            .lines()
            .filter(|line| !line.starts_with("#version") && !line.trim().is_empty());
        // The pieces are laid out by id below: an id far past any real vocabulary would
        // allocate gigabytes of empty slots.
        if let Some((piece, &id)) = encoder.iter().max_by_key(|&(_, &id)| id)
            && id as usize >= crate::config::limits::MAX_VOCABULARY
        {
            return Err(TokenizerError::VocabularyTooLarge {
                file: "encoder.json",
                piece: piece.clone(),
                id,
                limit: crate::config::limits::MAX_VOCABULARY,
            });
        }
        let merges = validate::merges(merge_lines, &encoder)?;
        let mut pieces = vec![String::new(); encoder.values().max().map_or(0, |&m| m as usize + 1)];
        for (piece, &id) in &encoder {
            if let Some(slot) = pieces.get_mut(id as usize) {
                slot.clone_from(piece);
            }
        }
        let eos = encoder
            .get_key_value("<|endoftext|>")
            .map(|(content, &id)| NamedToken {
                id,
                content: content.clone(),
            });
        let vocab_size = pieces.len();
        let inner = gguf::byte_level_tokenizer(
            encoder,
            merges,
            BytePreTokenizer::Gpt2,
            eos.iter()
                .map(|t| AddedToken::from(t.content.clone(), true)),
        )?;
        Ok(Tokenizer {
            inner,
            spelling: PieceSpelling::ByteLevel,
            rule: SpecialTokenRule::Flags {
                add_bos: false,
                add_eos: false,
            },
            bos: eos.clone(),
            eos: eos.into_iter().collect(),
            chat_template: None,
            vocab_size,
        })
    }

    /// Sets (or removes) the chat template, e.g. from a `chat_template.jinja` file, which
    /// newer Hugging Face repos keep beside `tokenizer_config.json`.
    pub fn with_chat_template(mut self, template: Option<String>) -> Self {
        self.chat_template = template;
        self
    }

    /// Token ids of `text`. Special-token texts in `text` (e.g. `<|im_start|>`) are
    /// always recognised, as in Hugging Face. With `add_special_tokens`, BOS (and EOS) are
    /// added only where the model's own rule says so: SmolLM2 and Qwen add nothing, Gemma
    /// adds `<bos>`.
    pub fn encode(&self, text: &str, add_special_tokens: bool) -> Result<Vec<u32>, TokenizerError> {
        match self.rule {
            SpecialTokenRule::PostProcessor => Ok(self
                .inner
                .encode_fast(text, add_special_tokens)
                .map_err(backend("encode the text"))?
                .get_ids()
                .to_vec()),
            SpecialTokenRule::Flags { add_bos, add_eos } => {
                let encoding = self
                    .inner
                    .encode_fast(text, false)
                    .map_err(backend("encode the text"))?;
                let mut ids = Vec::with_capacity(encoding.get_ids().len() + 2);
                if add_special_tokens
                    && add_bos
                    && let Some(bos) = &self.bos
                {
                    ids.push(bos.id);
                }
                ids.extend_from_slice(encoding.get_ids());
                if add_special_tokens
                    && add_eos
                    && let Some(eos) = self.eos.first()
                {
                    ids.push(eos.id);
                }
                Ok(ids)
            }
        }
    }

    /// The text of `ids`. With `skip_special`, special tokens (BOS, `<|im_end|>`, ...)
    /// are left out. An id outside the vocabulary is an error rather than silently dropped.
    pub fn decode(&self, ids: &[u32], skip_special: bool) -> Result<String, TokenizerError> {
        if let Some(&id) = ids.iter().find(|&&id| id as usize >= self.vocab_size) {
            return Err(TokenizerError::UnknownId {
                id,
                vocab_size: self.vocab_size,
            });
        }
        self.inner
            .decode(ids, skip_special)
            .map_err(backend("decode the ids"))
    }

    /// The text one token stands for, readable: `" Paris"` for GPT-2's `ĠParis` or
    /// SentencePiece's `▁Paris`, `"<|im_end|>"` for a special token. A piece that is only
    /// part of a UTF-8 character shows as `�`. `None` for an id outside the vocabulary.
    pub fn token_text(&self, id: u32) -> Option<String> {
        if let Some(added) = self.inner.get_added_vocabulary().simple_id_to_token(id) {
            return Some(added);
        }
        let piece = self.inner.id_to_token(id)?;
        Some(match self.spelling {
            PieceSpelling::ByteLevel => byte_level::piece_text(&piece),
            PieceSpelling::Metaspace => match byte_level::byte_fallback_piece(&piece) {
                Some(byte) => String::from_utf8_lossy(&[byte]).into_owned(),
                None => piece.replace('\u{2581}', " "),
            },
            PieceSpelling::Plain => piece,
        })
    }

    /// The raw vocabulary piece of `id` (`"ĠParis"`, `"▁Paris"`, `"<0x0A>"`), as
    /// `convert_ids_to_tokens` shows it.
    pub fn id_to_piece(&self, id: u32) -> Option<String> {
        self.inner.id_to_token(id)
    }

    /// The id of a vocabulary piece or special token's text (`"<|im_end|>"`).
    pub fn piece_to_id(&self, piece: &str) -> Option<u32> {
        self.inner.token_to_id(piece)
    }

    /// One more than the largest token id: the row count of the model's embedding.
    pub fn vocab_size(&self) -> usize {
        self.vocab_size
    }

    /// The BOS token's id, when the model has one (whether or not it is added).
    pub fn bos_id(&self) -> Option<u32> {
        self.bos.as_ref().map(|t| t.id)
    }

    /// Ids that end a generation: the declared EOS first, then other end-of-turn control
    /// tokens the vocabulary has (Qwen: `<|im_end|>`, `<|endoftext|>`; Gemma: `<eos>`,
    /// `<end_of_turn>`).
    pub fn eos_ids(&self) -> Vec<u32> {
        self.eos.iter().map(|t| t.id).collect()
    }

    /// Whether `encode(text, true)` starts with BOS.
    pub fn adds_bos(&self) -> bool {
        match self.rule {
            SpecialTokenRule::Flags { add_bos, .. } => add_bos && self.bos.is_some(),
            SpecialTokenRule::PostProcessor => {
                match (&self.bos, self.inner.encode_fast("", true)) {
                    (Some(bos), Ok(encoding)) => encoding.get_ids().first() == Some(&bos.id),
                    _ => false,
                }
            }
        }
    }

    /// Whether `id` is a special token (skipped by `decode(.., true)`).
    pub fn is_special(&self, id: u32) -> bool {
        self.inner
            .get_added_vocabulary()
            .simple_id_to_token(id)
            .is_some_and(|t| self.inner.get_added_vocabulary().is_special_token(&t))
    }

    /// The chat template (Jinja source), if the model has one.
    pub fn chat_template(&self) -> Option<&str> {
        self.chat_template.as_deref()
    }

    /// Renders a conversation with the model's chat template, as `transformers`'
    /// `apply_chat_template(messages, tokenize=False, add_generation_prompt=...)` does.
    /// The template sees `messages`, `add_generation_prompt`, `bos_token`, `eos_token`
    /// and `raise_exception`.
    pub fn render_chat(
        &self,
        messages: &[ChatMessage],
        add_generation_prompt: bool,
    ) -> Result<String, TokenizerError> {
        let template = self
            .chat_template
            .as_deref()
            .ok_or(TokenizerError::NoChatTemplate)?;
        let text_of = |t: Option<&NamedToken>| t.map_or(String::new(), |t| t.content.clone());
        chat::render(
            template,
            messages,
            add_generation_prompt,
            &text_of(self.bos.as_ref()),
            &text_of(self.eos.first()),
        )
    }

    /// Renders the conversation, then encodes it without adding special tokens (the
    /// template writes them itself): the ids `transformers` gives for
    /// `tok(tok.apply_chat_template(.., tokenize=False), add_special_tokens=False)`.
    pub fn encode_chat(
        &self,
        messages: &[ChatMessage],
        add_generation_prompt: bool,
    ) -> Result<Vec<u32>, TokenizerError> {
        let text = self.render_chat(messages, add_generation_prompt)?;
        self.encode(&text, false)
    }
}

/// A token named in tokenizer_config.json: `"<s>"` or `{"content": "<s>", ...}`.
fn config_token(config: &serde_json::Value, key: &str) -> Option<String> {
    match config.get(key)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Object(o) => o.get("content")?.as_str().map(str::to_string),
        _ => None,
    }
}

fn config_chat_template(config: &serde_json::Value) -> Result<Option<String>, TokenizerError> {
    let bad = |why: &str| TokenizerError::InvalidTokenizerConfig(format!("chat_template {why}"));
    match config.get("chat_template") {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
        Some(serde_json::Value::Array(named)) => {
            let template_of = |entry: &serde_json::Value| {
                entry
                    .get("template")
                    .and_then(|t| t.as_str())
                    .map(str::to_string)
            };
            let default = named
                .iter()
                .find(|e| e.get("name").and_then(|n| n.as_str()) == Some("default"))
                .or_else(|| named.first());
            match default {
                None => Ok(None),
                Some(entry) => template_of(entry)
                    .map(Some)
                    .ok_or_else(|| bad("is a list whose entries have no \"template\" string")),
            }
        }
        Some(_) => Err(bad("is neither a string nor a list of {name, template}")),
    }
}

fn spelling_of_decoder(decoder: Option<&tokenizers::DecoderWrapper>) -> PieceSpelling {
    let Some(decoder) = decoder else {
        return PieceSpelling::Plain;
    };
    let description = serde_json::to_string(decoder).unwrap_or_default();
    if description.contains("\"ByteLevel\"") {
        PieceSpelling::ByteLevel
    } else if description.contains('\u{2581}') || description.contains("\"Metaspace\"") {
        PieceSpelling::Metaspace
    } else {
        PieceSpelling::Plain
    }
}

/// The declared EOS, then every special token whose text ends generations.
fn end_of_generation_tokens(
    inner: &tokenizers::Tokenizer,
    declared: Option<NamedToken>,
) -> Vec<NamedToken> {
    let mut eos: Vec<NamedToken> = declared.into_iter().collect();
    let added = inner.get_added_vocabulary();
    for text in END_OF_GENERATION_TEXTS {
        if let Some(id) = added.token_to_id(text, inner.get_model())
            && added.is_special_token(text)
            && eos.iter().all(|t| t.id != id)
        {
            eos.push(NamedToken {
                id,
                content: (*text).to_string(),
            });
        }
    }
    eos
}
