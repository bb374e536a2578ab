#!/usr/bin/env python3
"""Writes crates/metrics/tests/data/ais_generative_reference.json: PyTorch's greedy
answers to generative benchmark items, the independent reference for AIS's generative
scoring (crates/metrics/tests/ais_generative.rs).

The model is the demo model's GGUF (SmolLM2-135M-Instruct, Q4_1) read by transformers'
own GGUF loader and dequantised to float32, its tokenizer from the same file. Each item
of BBH boolean_expressions (the first N) is a user turn of the chat template with the
generation prompt, answered greedily until an end-of-turn token or MAX_NEW_TOKENS.

Usage, from the repository root:

    ~/.cache/mechscope/py/bin/python crates/metrics/tests/reference/make_ais_generative_reference.py
"""
import json
import os
from pathlib import Path

import torch
import transformers
from transformers import AutoModelForCausalLM, AutoTokenizer

ROOT = Path(__file__).resolve().parents[4]
MODELS = Path(os.environ.get("MECHSCOPE_MODELS", Path.home() / ".cache/mechscope/models"))
GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
DATA = ROOT.parent / "shared/data/benchmarks/bbh/boolean_expressions.json"
OUT = Path(__file__).resolve().parent.parent / "data" / "ais_generative_reference.json"
N = 8
MAX_NEW_TOKENS = 16


def main():
    torch.manual_seed(0)
    tok = AutoTokenizer.from_pretrained(MODELS, gguf_file=GGUF)
    model = AutoModelForCausalLM.from_pretrained(
        MODELS, gguf_file=GGUF, dtype=torch.float32, attn_implementation="eager"
    ).eval()
    eos = {tok.eos_token_id, tok.convert_tokens_to_ids("<|im_end|>")}
    examples = json.loads(DATA.read_text())["examples"][:N]
    items = []
    for index, example in enumerate(examples):
        prompt_ids = tok.apply_chat_template(
            [{"role": "user", "content": example["input"]}],
            add_generation_prompt=True,
            tokenize=True,
        )
        if isinstance(prompt_ids, dict) or hasattr(prompt_ids, "input_ids"):
            prompt_ids = prompt_ids["input_ids"]
        ids = torch.tensor([prompt_ids])
        generated = []
        with torch.no_grad():
            past = None
            step = ids
            for _ in range(MAX_NEW_TOKENS):
                out = model(step, past_key_values=past, use_cache=True)
                past = out.past_key_values
                next_id = int(out.logits[0, -1].argmax())
                if next_id in eos:
                    break
                generated.append(next_id)
                step = torch.tensor([[next_id]])
        items.append(
            {
                "index": index,
                "input": example["input"],
                "target": example["target"],
                "prompt_ids": list(map(int, prompt_ids)),
                "response_ids": generated,
                "response": tok.decode(generated, skip_special_tokens=True),
            }
        )
    OUT.write_text(
        json.dumps(
            {
                "fixture": "greedy answers to BBH boolean_expressions by PyTorch",
                "model": GGUF,
                "software": {"torch": torch.__version__, "transformers": transformers.__version__},
                "max_new_tokens": MAX_NEW_TOKENS,
                "items": items,
            },
            indent=1,
        )
        + "\n"
    )
    for item in items:
        print(item["index"], repr(item["response"]), "gold", item["target"])


if __name__ == "__main__":
    main()
