//! Rebuilding a model's tokenizer from GGUF `tokenizer.ggml.*` metadata.
//!
//! The pipelines mirror what Hugging Face's own `tokenizer.json` of each family holds, and
//! what `transformers` builds when it reads a GGUF (`integrations/gguf`), since that is
//! the independent reference the tests compare against:
//!
//! - `model = "gpt2"`: byte-level BPE over the file's tokens and merges; pieces spelled
//!   outside GPT-2's byte alphabet are respelled into it; the pre-tokenizer comes from
//!   `tokenizer.ggml.pre` ([`BytePreTokenizer`]).
//! - `model = "llama"`: SentencePiece BPE with byte fallback. The file has no merges, so
//!   they are recovered from the vocabulary: every split of a piece into two pieces,
//!   best piece first (by score; for Gemma by position, since Gemma's scores do not follow
//!   its merge order, and with runs of spaces respelled as `▁`). Gemma keeps spaces as `▁`
//!   without a prefix space; other models use `Metaspace` with a prefix space unless
//!   `tokenizer.ggml.add_space_prefix` is false.

use super::byte_level;
use super::pre::BytePreTokenizer;
use super::validate;
use super::{NamedToken, PieceSpelling, SpecialTokenRule, Tokenizer, TokenizerError, backend};
use crate::gguf::{ArrayValue, GgufHeader, MetadataValue};
use std::collections::{HashMap, HashSet};
use tokenizers::decoders::byte_fallback::ByteFallback;
use tokenizers::decoders::fuse::Fuse;
use tokenizers::decoders::sequence::Sequence as DecoderSequence;
use tokenizers::decoders::strip::Strip;
use tokenizers::models::bpe::{BPE, Vocab};
use tokenizers::normalizers::replace::Replace;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::metaspace::{Metaspace, PrependScheme};
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::{AddedToken, DecoderWrapper, SplitDelimiterBehavior};

const TOKEN_TYPE_CONTROL: i64 = 3;
const TOKEN_TYPE_USER_DEFINED: i64 = 4;
const SPACE_MARK: char = '\u{2581}';

/// Architectures whose SentencePiece files need Gemma's treatment (as in `transformers`).
const GEMMA_ARCHITECTURES: &[&str] = &["gemma", "gemma2", "gemma3"];

pub(super) fn build(header: &GgufHeader) -> Result<Tokenizer, TokenizerError> {
    let model = required(header, "tokenizer.ggml.model", "names the tokenizer type")?;
    let model = model
        .as_str()
        .ok_or_else(|| wrong_type(header, "tokenizer.ggml.model", "a string"))?;
    let tokens = string_array(header, "tokenizer.ggml.tokens", "holds the vocabulary")?;
    if tokens.is_empty() {
        return Err(TokenizerError::EmptyVocabulary);
    }
    let token_types = match header.get("tokenizer.ggml.token_type") {
        None => vec![],
        Some(_) => integer_array(header, "tokenizer.ggml.token_type", tokens.len())?,
    };
    let token_id = |key: &str| -> Result<Option<u32>, TokenizerError> {
        let Some(value) = header.get(key) else {
            return Ok(None);
        };
        let id = value
            .as_u64()
            .ok_or_else(|| wrong_type(header, key, "a non-negative integer"))?;
        if id >= tokens.len() as u64 {
            return Err(TokenizerError::IdOutOfRange {
                what: key.to_string(),
                id,
                vocab_size: tokens.len(),
            });
        }
        Ok(Some(id as u32))
    };
    let bos_id = token_id("tokenizer.ggml.bos_token_id")?;
    let eos_id = token_id("tokenizer.ggml.eos_token_id")?;
    let unk_id = token_id("tokenizer.ggml.unknown_token_id")?;
    let pad_id = token_id("tokenizer.ggml.padding_token_id")?;
    let flag = |key: &str| -> Result<Option<bool>, TokenizerError> {
        match header.get(key) {
            None => Ok(None),
            Some(MetadataValue::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(wrong_type(header, key, "a boolean")),
        }
    };
    let chat_template = match header.get("tokenizer.chat_template") {
        None => None,
        Some(v) => Some(
            v.as_str()
                .ok_or_else(|| wrong_type(header, "tokenizer.chat_template", "a string"))?
                .to_string(),
        ),
    };
    let is_type = |id: usize, ty: i64| token_types.get(id) == Some(&ty);
    let special_ids: Vec<u32> = [bos_id, eos_id, unk_id, pad_id]
        .into_iter()
        .flatten()
        .collect();

    let (inner, spelling, default_add_bos) = match model {
        "gpt2" => {
            let pre = BytePreTokenizer::from_gguf_name(match header.get("tokenizer.ggml.pre") {
                None => None,
                Some(v) => Some(
                    v.as_str()
                        .ok_or_else(|| wrong_type(header, "tokenizer.ggml.pre", "a string"))?,
                ),
            })?;
            let merges = string_array(
                header,
                "tokenizer.ggml.merges",
                "a byte-level BPE (tokenizer.ggml.model = \"gpt2\") needs",
            )?;
            let table = byte_level::byte_to_char();
            let alphabet: HashSet<char> = table.iter().copied().collect();
            let spelled = |t: &str| -> String {
                if t.chars().all(|c| alphabet.contains(&c)) {
                    t.to_string()
                } else {
                    byte_level::spell(t, &table)
                }
            };
            let mut vocab = HashMap::with_capacity(tokens.len());
            for (id, token) in tokens.iter().enumerate() {
                vocab.insert(spelled(token), id as u32);
            }
            let merges = validate::merges(merges.iter().map(String::as_str), &vocab)?;
            // A control token spelled outside the byte alphabet is a llama.cpp mislabel
            // (transformers skips those too); the rest are matched whole in the text.
            let in_alphabet = |t: &str| t.chars().all(|c| alphabet.contains(&c));
            let added = added_tokens(tokens, &token_types, &special_ids, |t| {
                vocab.contains_key(t)
            })
            .filter(|a| !a.special || in_alphabet(&a.content))
            .collect::<Vec<_>>();
            let inner = byte_level_tokenizer(vocab, merges, pre, added)?;
            // Llama 3's tokenizer adds BOS; llama.cpp assumes so when the flag is absent.
            (
                inner,
                PieceSpelling::ByteLevel,
                pre == BytePreTokenizer::Llama3,
            )
        }
        "llama" => {
            let scores = float_array(header, "tokenizer.ggml.scores", tokens.len())?;
            let architecture = header.architecture().unwrap_or_default();
            let gemma = GEMMA_ARCHITECTURES.contains(&architecture);
            let add_space_prefix = flag("tokenizer.ggml.add_space_prefix")?.unwrap_or(true);
            let inner = sentencepiece_tokenizer(
                tokens,
                &scores,
                &token_types,
                &special_ids,
                unk_id,
                gemma,
                add_space_prefix,
            )?;
            (inner, PieceSpelling::Metaspace, true)
        }
        other => return Err(TokenizerError::UnsupportedModel(other.to_string())),
    };

    let named = |id: Option<u32>| {
        id.and_then(|id| {
            tokens.get(id as usize).map(|content| NamedToken {
                id,
                content: content.clone(),
            })
        })
    };
    let mut eos: Vec<NamedToken> = named(eos_id).into_iter().collect();
    for (id, token) in tokens.iter().enumerate() {
        if is_type(id, TOKEN_TYPE_CONTROL)
            && super::END_OF_GENERATION_TEXTS.contains(&token.as_str())
            && eos.iter().all(|t| t.id as usize != id)
        {
            eos.push(NamedToken {
                id: id as u32,
                content: token.clone(),
            });
        }
    }
    Ok(Tokenizer {
        inner,
        spelling,
        rule: SpecialTokenRule::Flags {
            add_bos: flag("tokenizer.ggml.add_bos_token")?.unwrap_or(default_add_bos),
            add_eos: flag("tokenizer.ggml.add_eos_token")?.unwrap_or(false),
        },
        bos: named(bos_id),
        eos,
        chat_template,
        vocab_size: tokens.len(),
    })
}

/// Control tokens (and the named BOS/EOS/UNK/PAD) as special tokens, user-defined tokens
/// present in the vocabulary as plain added tokens; none of them normalized, so they
/// match the raw text.
fn added_tokens<'a>(
    tokens: &'a [String],
    token_types: &'a [i64],
    special_ids: &'a [u32],
    in_vocab: impl Fn(&str) -> bool + 'a,
) -> impl Iterator<Item = AddedToken> + 'a {
    tokens.iter().enumerate().filter_map(move |(id, token)| {
        let ty = token_types.get(id).copied();
        if ty == Some(TOKEN_TYPE_CONTROL) || special_ids.contains(&(id as u32)) {
            Some(AddedToken::from(token.clone(), true))
        } else if ty == Some(TOKEN_TYPE_USER_DEFINED) && in_vocab(token) {
            Some(AddedToken::from(token.clone(), false).normalized(false))
        } else {
            None
        }
    })
}

/// A byte-level BPE tokenizer (GPT-2 style) over a vocabulary already spelled in the
/// byte alphabet.
pub(super) fn byte_level_tokenizer(
    vocab: HashMap<String, u32>,
    merges: Vec<(String, String)>,
    pre: BytePreTokenizer,
    added: impl IntoIterator<Item = AddedToken>,
) -> Result<tokenizers::Tokenizer, TokenizerError> {
    let bpe = BPE::builder()
        .vocab_and_merges(vocab.into_iter().collect::<Vocab>(), merges)
        .ignore_merges(pre.ignore_merges())
        .build()
        .map_err(backend("build the BPE model"))?;
    let mut inner = tokenizers::Tokenizer::new(bpe);
    if let Some(normalizer) = pre.normalizer() {
        inner
            .with_normalizer(Some(normalizer))
            .map_err(backend("set the normalizer"))?;
    }
    inner.with_pre_tokenizer(Some(pre.pre_tokenizer()?));
    inner.with_decoder(Some(DecoderWrapper::from(ByteLevel::default())));
    add_tokens(&mut inner, added)?;
    Ok(inner)
}

fn add_tokens(
    inner: &mut tokenizers::Tokenizer,
    added: impl IntoIterator<Item = AddedToken>,
) -> Result<(), TokenizerError> {
    let (special, plain): (Vec<AddedToken>, Vec<AddedToken>) =
        added.into_iter().partition(|t| t.special);
    inner
        .add_special_tokens(special)
        .map_err(backend("add the special tokens"))?;
    inner
        .add_tokens(plain)
        .map_err(backend("add the user-defined tokens"))?;
    Ok(())
}

fn sentencepiece_tokenizer(
    tokens: &[String],
    scores: &[f64],
    token_types: &[i64],
    special_ids: &[u32],
    unk_id: Option<u32>,
    gemma: bool,
    add_space_prefix: bool,
) -> Result<tokenizers::Tokenizer, TokenizerError> {
    // Gemma stores runs of spaces as real spaces, which its normalizer never produces:
    // it looks them up as runs of `▁`.
    let pieces: Vec<String> = tokens
        .iter()
        .map(|t| {
            if gemma && t.contains(' ') && t.trim().is_empty() {
                SPACE_MARK.to_string().repeat(t.chars().count())
            } else {
                t.clone()
            }
        })
        .collect();
    let mut vocab: HashMap<String, u32> = HashMap::with_capacity(pieces.len());
    for (id, piece) in pieces.iter().enumerate() {
        vocab.insert(piece.clone(), id as u32);
    }
    let merge_score = |piece: &str| -> f64 {
        // A piece that appears twice counts with its last position, like a Python dict.
        let id = vocab.get(piece).copied().unwrap_or(0) as usize;
        if gemma {
            -(id as f64)
        } else {
            scores.get(id).copied().unwrap_or(f64::NEG_INFINITY)
        }
    };
    let merges = merges_from_pieces(&pieces, &vocab, merge_score);

    let mut builder = BPE::builder()
        .vocab_and_merges(
            vocab
                .iter()
                .map(|(k, &v)| (k.clone(), v))
                .collect::<Vocab>(),
            merges,
        )
        .fuse_unk(true)
        .byte_fallback(true);
    if gemma && let Some(unk) = unk_id.and_then(|id| pieces.get(id as usize)) {
        builder = builder.unk_token(unk.clone());
    }
    let bpe = builder.build().map_err(backend("build the BPE model"))?;
    let mut inner = tokenizers::Tokenizer::new(bpe);
    let replace =
        |from: &str, to: &str| Replace::new(from, to).map_err(backend("build a replace rule"));
    let mut decoders: Vec<DecoderWrapper> = vec![
        replace("\u{2581}", " ")?.into(),
        ByteFallback::new().into(),
        Fuse::new().into(),
    ];
    if gemma {
        inner
            .with_normalizer(Some(replace(" ", "\u{2581}")?))
            .map_err(backend("set the normalizer"))?;
        let split = Split::new(
            SplitPattern::String(" ".into()),
            SplitDelimiterBehavior::MergedWithPrevious,
            false,
        )
        .map_err(backend("build the pre-tokenizer"))?;
        inner.with_pre_tokenizer(Some(split));
    } else {
        let prepend = if add_space_prefix {
            PrependScheme::First
        } else {
            PrependScheme::Never
        };
        inner.with_pre_tokenizer(Some(Metaspace::new(SPACE_MARK, prepend, false)));
        if add_space_prefix {
            decoders.push(Strip::new(' ', 1, 0).into());
        }
    }
    inner.with_decoder(Some(DecoderSequence::new(decoders)));
    let added = added_tokens(tokens, token_types, special_ids, |t| vocab.contains_key(t));
    add_tokens(&mut inner, added.collect::<Vec<_>>())?;
    Ok(inner)
}

/// The merges a SentencePiece BPE vocabulary implies, in `transformers`'
/// `generate_merges` order: every split of a piece into two pieces of the vocabulary;
/// sorted by the merged piece's score (best first), then by longer left half, then by
/// longer right half, then in vocabulary order.
fn merges_from_pieces(
    pieces: &[String],
    vocab: &HashMap<String, u32>,
    score: impl Fn(&str) -> f64,
) -> Vec<(String, String)> {
    struct Candidate<'a> {
        score: f64,
        left_chars: usize,
        right_chars: usize,
        left: &'a str,
        right: &'a str,
    }
    let mut seen: HashSet<&str> = HashSet::with_capacity(pieces.len());
    let mut candidates: Vec<Candidate<'_>> = Vec::new();
    for piece in pieces {
        if !seen.insert(piece.as_str()) {
            continue;
        }
        let piece_score = score(piece);
        let mut local: Vec<(u32, u32, &str, &str)> = piece
            .char_indices()
            .skip(1)
            .filter_map(|(at, _)| {
                let (left, right) = piece.split_at(at);
                Some((*vocab.get(left)?, *vocab.get(right)?, left, right))
            })
            .collect();
        local.sort_by_key(|&(l, r, _, _)| (l, r));
        candidates.extend(local.into_iter().map(|(_, _, left, right)| Candidate {
            score: piece_score,
            left_chars: left.chars().count(),
            right_chars: right.chars().count(),
            left,
            right,
        }));
    }
    // Stable: ties keep the order above, as Python's sorted(reverse=True) does.
    candidates.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.left_chars.cmp(&a.left_chars))
            .then(b.right_chars.cmp(&a.right_chars))
    });
    candidates
        .into_iter()
        .map(|c| (c.left.to_string(), c.right.to_string()))
        .collect()
}

fn required<'h>(
    header: &'h GgufHeader,
    key: &str,
    needed_for: &'static str,
) -> Result<&'h MetadataValue, TokenizerError> {
    header.get(key).ok_or_else(|| TokenizerError::MissingKey {
        key: key.to_string(),
        needed_for,
    })
}

fn describe(value: Option<&MetadataValue>) -> String {
    match value {
        None => "absent".into(),
        Some(MetadataValue::String(_)) => "a string".into(),
        Some(MetadataValue::Bool(_)) => "a boolean".into(),
        Some(MetadataValue::Array(a)) => format!("an array of {} elements", a.len()),
        Some(MetadataValue::F32(_) | MetadataValue::F64(_)) => "a float".into(),
        Some(_) => "an integer".into(),
    }
}

fn wrong_type(header: &GgufHeader, key: &str, expected: &'static str) -> TokenizerError {
    TokenizerError::WrongType {
        key: key.to_string(),
        expected,
        found: describe(header.get(key)),
    }
}

fn string_array<'h>(
    header: &'h GgufHeader,
    key: &str,
    needed_for: &'static str,
) -> Result<&'h [String], TokenizerError> {
    match required(header, key, needed_for)? {
        MetadataValue::Array(ArrayValue::String(v)) => Ok(v),
        _ => Err(wrong_type(header, key, "an array of strings")),
    }
}

fn checked_len(key: &str, found: usize, expected: usize) -> Result<(), TokenizerError> {
    if found != expected {
        return Err(TokenizerError::LengthMismatch {
            key: key.to_string(),
            found,
            expected,
        });
    }
    Ok(())
}

fn integer_array(
    header: &GgufHeader,
    key: &str,
    expected: usize,
) -> Result<Vec<i64>, TokenizerError> {
    let values: Vec<i64> = match header.get(key) {
        Some(MetadataValue::Array(a)) => match a {
            ArrayValue::I32(v) => v.iter().map(|&x| x.into()).collect(),
            ArrayValue::U32(v) => v.iter().map(|&x| x.into()).collect(),
            ArrayValue::I8(v) => v.iter().map(|&x| x.into()).collect(),
            ArrayValue::U8(v) => v.iter().map(|&x| x.into()).collect(),
            ArrayValue::I16(v) => v.iter().map(|&x| x.into()).collect(),
            ArrayValue::U16(v) => v.iter().map(|&x| x.into()).collect(),
            ArrayValue::I64(v) => v.clone(),
            ArrayValue::U64(v) => v.iter().map(|&x| i64::try_from(x).unwrap_or(-1)).collect(),
            _ => return Err(wrong_type(header, key, "an array of integers")),
        },
        _ => return Err(wrong_type(header, key, "an array of integers")),
    };
    checked_len(key, values.len(), expected)?;
    Ok(values)
}

fn float_array(
    header: &GgufHeader,
    key: &str,
    expected: usize,
) -> Result<Vec<f64>, TokenizerError> {
    let values: Vec<f64> = match required(
        header,
        key,
        "a SentencePiece (tokenizer.ggml.model = \"llama\") vocabulary needs",
    )? {
        MetadataValue::Array(ArrayValue::F32(v)) => v.iter().map(|&x| x.into()).collect(),
        MetadataValue::Array(ArrayValue::F64(v)) => v.clone(),
        _ => return Err(wrong_type(header, key, "an array of floats")),
    };
    checked_len(key, values.len(), expected)?;
    Ok(values)
}
