#!/usr/bin/env python3
"""Transformers' forward pass on the tiny seeded llama that MechScope's own code makes.

The model is not made here: `mechscope_testkit::tiny_model` (Rust) writes it, from a
seed, as a Hugging Face folder and a GGUF (`cargo xtask tiny-model DIR`). This script is
the independent oracle for those files: Hugging Face `transformers` (`AutoTokenizer`,
`AutoModelForCausalLM`, eager attention, float32, CPU) and `tokenizers`, which share no
code with MechScope's loader, tokenizer or decoder.

What it checks before writing anything (an assertion failure means the generator's
files are wrong, not the Rust side):
- `AutoTokenizer` (transformers' GPT2Tokenizer for this folder) and a bare
  `tokenizers.Tokenizer.from_file("tokenizer.json")` give the same ids, and decode
  them back to the text;
- transformers reading the GGUF (`gguf_file=`, which undoes llama.cpp's q/k row
  permutation with its own code, and rebuilds the tokenizer from `tokenizer.ggml.*`)
  gives the same ids and the same logits as the safetensors folder: so the GGUF is laid
  out as llama.cpp's converter would write it.

What it writes, to `crates/model/tests/data/tiny_llama_reference.json`:
- `seed`, the files' sizes and sha256 (a changed generator shows here first);
- `prompt` and `input_ids`: a fixed English prompt with digits, encoded without special
  tokens (SmolLM2 adds none);
- `logits`: the full `[seq, vocab]` float32 logits of that prompt;
- `chat`: the ChatML rendering of one user message with the generation prompt (the
  chat template in tokenizer_config.json), its ids, and the last position's logits;
- `greedy`: 12 tokens greedily generated after the prompt (`generate(do_sample=False)`,
  transformers' KV cache): their ids, the raw logits of each step (`output_logits`),
  and the smallest margin between a step's two best logits (a near-tie would make the
  ids' comparison meaningless). Random models fall into repeating one token quickly,
  so the step logits, not the ids, are what checks a KV cache;
- `float64`: how far the float32 logits are from the same model in float64.

Run (a few seconds; builds xtask the first time):
    ~/.cache/mechscope/py/bin/python crates/model/tests/reference/make_tiny_llama_reference.py
Needs: torch, transformers (5.x), tokenizers, gguf (for transformers' GGUF reader).
"""

import argparse
import hashlib
import json
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

SEED = 20250101  # mechscope_testkit::tiny_model::TINY_LLAMA_SEED
GGUF_NAME = "tiny-llama-F32.gguf"
PROMPT = "The cat sat on the mat, and 42 birds sing in the trees there."
CHAT_MESSAGE = "Where is the station? It is on the other side of the bridge."
GREEDY_TOKENS = 12


def make_model(workspace, out_dir):
    """The tiny llama's files, written by the project's own generator."""
    subprocess.run(
        ["cargo", "xtask", "tiny-model", str(out_dir), "--seed", str(SEED)],
        cwd=workspace,
        check=True,
    )


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main():
    here = Path(__file__).resolve().parent
    workspace = here.parents[3]
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--model-dir",
        type=Path,
        help="a folder `cargo xtask tiny-model` wrote (default: write one to a temp dir)",
    )
    parser.add_argument(
        "--out", type=Path, default=here.parent / "data" / "tiny_llama_reference.json"
    )
    args = parser.parse_args()

    import tokenizers
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)

    with tempfile.TemporaryDirectory() as tmp:
        model_dir = args.model_dir
        if model_dir is None:
            model_dir = Path(tmp) / "tiny-llama"
            make_model(workspace, model_dir)

        tok = AutoTokenizer.from_pretrained(model_dir)
        raw = tokenizers.Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        gguf_tok = AutoTokenizer.from_pretrained(model_dir, gguf_file=GGUF_NAME)

        def encode(text):
            ids = tok(text, add_special_tokens=False)["input_ids"]
            assert raw.encode(text, add_special_tokens=False).ids == ids, text
            assert gguf_tok(text, add_special_tokens=False)["input_ids"] == ids, text
            assert tok.decode(ids) == text, (tok.decode(ids), text)
            return ids

        input_ids = encode(PROMPT)
        merged = sum(1 for i in input_ids if i >= 3 + 256)
        assert merged >= 5, f"only {merged} ids are merges: the BPE does not merge"

        messages = [{"role": "user", "content": CHAT_MESSAGE}]
        chat_text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        chat_ids = encode(chat_text)

        def load(dtype, **kw):
            model = AutoModelForCausalLM.from_pretrained(
                model_dir, dtype=dtype, attn_implementation="eager", **kw
            )
            return model.eval()

        model = load(torch.float32)
        assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()
        with torch.no_grad():
            logits = model(torch.tensor([input_ids])).logits[0]
            chat_logits = model(torch.tensor([chat_ids])).logits[0, -1]
            gguf_logits = load(torch.float32, gguf_file=GGUF_NAME)(
                torch.tensor([input_ids])
            ).logits[0]
            logits64 = load(torch.float64)(torch.tensor([input_ids])).logits[0]
            generated = model.generate(
                torch.tensor([input_ids]),
                max_new_tokens=GREEDY_TOKENS,
                do_sample=False,
                output_logits=True,
                return_dict_in_generate=True,
                pad_token_id=tok.pad_token_id,
                eos_token_id=None,
            )
        gguf_gap = float((gguf_logits - logits).abs().max())
        assert gguf_gap == 0.0, f"the GGUF's logits differ from the folder's by {gguf_gap}"
        greedy = generated.sequences[0, len(input_ids):].tolist()
        step_logits = [step[0] for step in generated.logits]
        margins = [float(step.topk(2).values[0] - step.topk(2).values[1]) for step in step_logits]

        spread = float(logits.std(dim=-1).mean())
        d64 = float((logits.double() - logits64).abs().max())
        print(
            f"{len(input_ids)} prompt ids ({merged} merges), vocab {logits.shape[-1]}, logit std "
            f"per row {spread:.3f}, float32 vs float64 {d64:.2e}, greedy {greedy}, "
            f"smallest top-2 margin {min(margins):.3e}",
            file=sys.stderr,
        )

        files = {
            p.name: {"size": p.stat().st_size, "sha256": sha256(p)}
            for p in sorted(model_dir.iterdir())
            if p.is_file()
        }

    result = {
        "fixture": "tiny_llama_reference",
        "generated_by": "crates/model/tests/reference/make_tiny_llama_reference.py",
        "reference": "transformers AutoModelForCausalLM / AutoTokenizer on the folder "
        "`cargo xtask tiny-model` writes, float32, CPU, eager attention",
        "software": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__,
        },
        "seed": SEED,
        "files": files,
        "prompt": PROMPT,
        "input_ids": input_ids,
        "logits": logits.tolist(),
        "chat": {
            "message": CHAT_MESSAGE,
            "text": chat_text,
            "input_ids": chat_ids,
            "last_logits": chat_logits.tolist(),
        },
        "greedy": {
            "new_tokens": GREEDY_TOKENS,
            "ids": greedy,
            "step_logits": [step.tolist() for step in step_logits],
            "smallest_top2_logit_margin": min(margins),
        },
        "float64": {"max_abs_logit_diff_float32_vs_float64": d64},
    }
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
