#!/usr/bin/env python3
"""Reference key-neuron sets for the MUI options the shared fixture does not cover.

`../shared/fixtures/mui_smollm2_arc.json` checks the default (target = same, per-layer
top-k) for k = 1 and 15. This script records, for the same demo model and the same
recorded samples, the other options of metrics.md §1:
- `ratio_0.005`: per-layer top-k with k = floor(0.005 * 1536) = 7;
- `next_k15`: target = next: positions [r0-1, r1-1) scored against ids[t+1];
- `topscore_0.5`: per layer, every entry >= 0.5 * the layer's largest score;
- `global_k50`: the top 50 entries over all layers of a sample at once.
For each option and sample: the neuron set per layer (global: (layer, i) pairs), and the
score gap at the selection boundary (k-th minus (k+1)-th; for topscore the distance of
the nearest score to the threshold), so a consumer can tell a real difference from a
float32 near-tie. It also records the MUI over the samples for each option.

The oracle is Hugging Face `transformers`: it loads the GGUF with its own reader and
dequantisation (`from_pretrained(dir, gguf_file=...)`) and runs its own
`LlamaForCausalLM` in float32, eager attention, with a forward hook on
`layers[l].mlp.act_fn` (silu(gate_proj x), before the up-projection product). Nothing
is shared with MechScope's Rust code. The scores are recomputed in float64 from the same
activations as a check of how fragile each selection is.

Run (about a minute on 2 cores):
    ~/.cache/mechscope/py/bin/python crates/metrics/tests/reference/make_mui_reference.py
Needs torch, transformers (5.x), gguf, numpy; the demo model in $MECHSCOPE_MODELS or
~/.cache/mechscope/models; the samples from ../shared/fixtures/mui_smollm2_arc.responses.jsonl.
"""

import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import torch
import transformers
from transformers import AutoModelForCausalLM

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
SHARED = Path(os.environ.get("MECHSCOPE_SHARED", REPO.parent / "shared"))
MODELS = Path(os.environ.get("MECHSCOPE_MODELS", Path.home() / ".cache/mechscope/models"))
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
N_SAMPLES = 8
OUT = HERE.parent / "data" / "mui_reference.json"


def main():
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    started = time.time()
    model = AutoModelForCausalLM.from_pretrained(
        str(MODELS), gguf_file=MODEL_FILE, torch_dtype=torch.float32, attn_implementation="eager"
    ).eval()
    cfg = model.config
    L, d_ff = cfg.num_hidden_layers, cfg.intermediate_size
    W_U = model.get_output_embeddings().weight.detach()
    downs = [layer.mlp.down_proj.weight.detach() for layer in model.model.layers]

    samples = []
    with open(SHARED / "fixtures" / "mui_smollm2_arc.responses.jsonl") as f:
        for line in f:
            row = json.loads(line)
            samples.append((row["prompt_ids"], row["response_ids"]))
    samples = samples[:N_SAMPLES]

    captured = {}

    def hook(l):
        def fn(_module, _inp, out):
            captured[l] = out.detach()[0]

        return fn

    handles = [layer.mlp.act_fn.register_forward_hook(hook(l)) for l, layer in enumerate(model.model.layers)]

    def scores_for(prompt, response, target):
        ids = prompt + response
        r0, r1 = len(prompt), len(prompt) + len(response)
        if target == "same":
            pos = range(r0, r1)
            inputs = ids
        else:
            pos = range(r0 - 1, r1 - 1)
            inputs = ids[: r1 - 1]
        y = torch.tensor(response)
        with torch.no_grad():
            model(torch.tensor([inputs]))
        out32, out64 = [], []
        for l in range(L):
            a = captured[l][pos.start : pos.stop]  # [T, d_ff]
            w = W_U[y] @ downs[l]  # [T, d] @ [d, d_ff]
            out32.append((a * w).numpy())
            out64.append((a.double() * (W_U[y].double() @ downs[l].double())).numpy())
        return out32, out64

    def topk_sets(s, k):
        flat = s.reshape(-1)
        order = np.argsort(-flat, kind="stable")
        sel = order[:k]
        gap = float(flat[order[k - 1]] - flat[order[k]]) if flat.size > k else None
        return sorted({int(i % d_ff) for i in sel}), gap

    def topscore_sets(s, theta):
        flat = s.reshape(-1)
        m = float(flat.max())
        if m <= 0:
            return [], None
        thr = np.float32(theta * m)
        keep = flat >= thr
        margin = float(np.min(np.abs(flat - thr)))
        return sorted({int(i % d_ff) for i in np.nonzero(keep)[0]}), margin

    options = {
        "ratio_0.005": {"target": "same", "rule": "per_layer_top_k", "k": int(np.floor(0.005 * d_ff))},
        "next_k15": {"target": "next", "rule": "per_layer_top_k", "k": 15},
        "topscore_0.5": {"target": "same", "rule": "top_score", "theta": 0.5},
        "global_k50": {"target": "same", "rule": "global_top_k", "k": 50},
    }
    results = {}
    for name, opt in options.items():
        per_sample, union, flips64 = [], set(), 0
        for prompt, response in samples:
            s32, s64 = scores_for(prompt, response, opt["target"])
            if opt["rule"] == "global_top_k":
                k = opt["k"]
                stacked = np.stack(s32).reshape(-1)
                order = np.argsort(-stacked, kind="stable")
                per_layer = s32[0].size
                pairs = sorted({(int(i // per_layer), int(i % per_layer % d_ff)) for i in order[:k]})
                gap = float(stacked[order[k - 1]] - stacked[order[k]])
                st64 = np.stack(s64).reshape(-1)
                o64 = np.argsort(-st64, kind="stable")
                pairs64 = sorted({(int(i // per_layer), int(i % per_layer % d_ff)) for i in o64[:k]})
                flips64 += int(pairs != pairs64)
                union.update(pairs)
                per_sample.append({"pairs": pairs, "gap": gap})
                continue
            layers = []
            for l in range(L):
                if opt["rule"] == "per_layer_top_k":
                    neurons, gap = topk_sets(s32[l], opt["k"])
                    n64, _ = topk_sets(s64[l], opt["k"])
                else:
                    neurons, gap = topscore_sets(s32[l], opt["theta"])
                    n64, _ = topscore_sets(s64[l], opt["theta"])
                flips64 += int(neurons != n64)
                union.update((l, i) for i in neurons)
                layers.append({"neurons": neurons, "gap": gap})
            per_sample.append({"layers": layers})
        results[name] = {
            "options": opt,
            "samples": per_sample,
            "union_size": len(union),
            "mui": len(union) / (L * d_ff),
            "selections_differing_in_float64": flips64,
        }
        print(name, "union", len(union), "float64 flips", flips64)

    for h in handles:
        h.remove()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "what": "MUI key-neuron sets for options beyond ../shared/fixtures/mui_smollm2_arc.json",
                "model": MODEL_FILE,
                "oracle": "transformers LlamaForCausalLM from the GGUF (its own dequantisation), float32, eager, act_fn hooks",
                "software": {
                    "python": platform.python_version(),
                    "torch": torch.__version__,
                    "transformers": transformers.__version__,
                },
                "n_layers": L,
                "d_ff": d_ff,
                "samples": [{"prompt_ids": p, "response_ids": r} for p, r in samples],
                "results": results,
                "seconds": round(time.time() - started, 1),
            },
            indent=1,
        )
        + "\n"
    )
    print("wrote", OUT)


if __name__ == "__main__":
    main()
