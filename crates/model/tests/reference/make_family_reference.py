#!/usr/bin/env python3
"""Reference outputs for the qwen2 and gemma3 families, from real GGUF models.

The oracle is Hugging Face `transformers` itself: it loads each GGUF file with its own
GGUF reader and dequantisation (`from_pretrained(dir, gguf_file=...)`) and runs its own
modeling code (`Qwen2ForCausalLM`, `Gemma3ForCausalLM`) in float32 on the CPU with eager
attention. Nothing here shares code with MechScope's Rust loader or decoder.

For each model and prompt it records, into `crates/model/tests/data/family_reference.json`:
- `input_ids`: the prompt tokenised by the reference tokenizer (built by transformers
  from the GGUF metadata) with its default special tokens: Qwen adds no BOS, Gemma does;
- `top20`: the 20 largest logits at the last position as (id, logit, logprob), with
  logprob = log_softmax over the whole vocabulary in float64;
- `residual_norm_mean_over_positions_per_layer`: the mean over positions of the L2 norm
  of h_0 (the output of `embed_tokens`, which for Gemma includes the sqrt(d) scale) and
  of h_l, the output of decoder layer l (before the final norm), taken with forward hooks;
- `greedy_12`: 12 greedy new tokens (argmax, first on ties, no stop token), each step a
  full forward over the whole sequence, and the gap between the best and second-best
  logit at each step (a small gap makes the step fragile);
- for Gemma a third prompt of 570 tokens, past its 512-token sliding window;
- the same top-20 logits and norms from the same model in float64 (`float64`), which
  measures how far the float32 reference itself is from exact arithmetic.

It also checks that transformers' weights equal gguf-py's dequantisation of every GGUF
tensor (with Gemma's norm weights stored as 1 + w), so a loader bug would show here.

Run (about 7 minutes on 2 cores, most of it loading and the 570-token prompt):
    ~/.cache/mechscope/py/bin/python crates/model/tests/reference/make_family_reference.py
Needs: torch, transformers (5.x), accelerate, gguf, numpy. Models come from
$MECHSCOPE_MODELS or ~/.cache/mechscope/models.
"""

import argparse
import hashlib
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

MODELS = [
    {
        "key": "qwen2",
        "file": "Qwen2.5-Coder-0.5B-Instruct.Q4_K_M.gguf",
        "sha256": "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        "expect_bos": False,
    },
    {
        "key": "gemma3",
        "file": "gemma-3-270m.Q4_K_M.gguf",
        "sha256": "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
        "expect_bos": True,
        "long_prompt": True,
    },
]

PROMPTS = [
    ("capital", "The capital of France is"),
    (
        "story",
        "Once upon a time, in a small village at the edge of a great forest, there lived "
        "an old woodcutter and his daughter. Every morning they walked together to the "
        "river, where",
    ),
]

# Gemma 3 only: longer than its 512-token sliding window, so that the last positions of
# the sliding layers no longer see the first tokens (the BOS among them). The text is
# section 1 of the Apache License 2.0, whitespace collapsed.
LONG_TEXT = (
    '"License" shall mean the terms and conditions for use, reproduction, and '
    'distribution as defined by Sections 1 through 9 of this document. "Licensor" shall '
    'mean the copyright owner or entity authorized by the copyright owner that is '
    'granting the License. "Legal Entity" shall mean the union of the acting entity and '
    'all other entities that control, are controlled by, or are under common control with'
    ' that entity. For the purposes of this definition, "control" means (i) the power, '
    'direct or indirect, to cause the direction or management of such entity, whether by '
    'contract or otherwise, or (ii) ownership of fifty percent (50%) or more of the '
    'outstanding shares, or (iii) beneficial ownership of such entity. "You" (or "Your") '
    'shall mean an individual or Legal Entity exercising permissions granted by this '
    'License. "Source" form shall mean the preferred form for making modifications, '
    'including but not limited to software source code, documentation source, and '
    'configuration files. "Object" form shall mean any form resulting from mechanical '
    'transformation or translation of a Source form, including but not limited to '
    'compiled object code, generated documentation, and conversions to other media types.'
    ' "Work" shall mean the work of authorship, whether in Source or Object form, made '
    'available under the License, as indicated by a copyright notice that is included in '
    'or attached to the work (an example is provided in the Appendix below). "Derivative '
    'Works" shall mean any work, whether in Source or Object form, that is based on (or '
    'derived from) the Work and for which the editorial revisions, annotations, '
    'elaborations, or other modifications represent, as a whole, an original work of '
    'authorship. For the purposes of this License, Derivative Works shall not include '
    'works that remain separable from, or merely link (or bind by name) to the interfaces'
    ' of, the Work and Derivative Works thereof. "Contribution" shall mean any work of '
    'authorship, including the original version of the Work and any modifications or '
    'additions to that Work or Derivative Works thereof, that is intentionally submitted '
    'to Licensor for inclusion in the Work by the copyright owner or by an individual or '
    'Legal Entity authorized to submit on behalf of the copyright owner. For the purposes'
    ' of this definition, "submitted" means any form of electronic, verbal, or written '
    'communication sent to the Licensor or its representatives, including but not limited'
    ' to communication on electronic mailing lists, source code control systems, and '
    'issue tracking systems that are managed by, or on behalf of, the Licensor for the '
    'purpose of discussing and improving the Work, but excluding communication that is '
    'conspicuously marked or otherwise designated in writing by the copyright owner as '
    '"Not a Contribution." "Contributor" shall mean Licensor and any individual or Legal '
    'Entity on behalf of whom a Contribution has been received by Licensor and '
    'subsequently incorporated within the Work.'
)
LONG_PROMPT = ("long_past_sliding_window", LONG_TEXT)

TOP_K = 20
NEW_TOKENS = 12

# GGUF tensor name (after `blk.N.`) -> Hugging Face module name, per family.
COMMON = {
    "attn_norm": "input_layernorm",
    "attn_q": "self_attn.q_proj",
    "attn_k": "self_attn.k_proj",
    "attn_v": "self_attn.v_proj",
    "attn_output": "self_attn.o_proj",
    "ffn_gate": "mlp.gate_proj",
    "ffn_up": "mlp.up_proj",
    "ffn_down": "mlp.down_proj",
}
LAYER_NAMES = {
    "qwen2": {**COMMON, "ffn_norm": "post_attention_layernorm"},
    "gemma3": {
        **COMMON,
        "post_attention_norm": "post_attention_layernorm",
        "ffn_norm": "pre_feedforward_layernorm",
        "post_ffw_norm": "post_feedforward_layernorm",
        "attn_q_norm": "self_attn.q_norm",
        "attn_k_norm": "self_attn.k_norm",
    },
}


def hf_name(family, gguf_name):
    top = {
        "token_embd.weight": "model.embed_tokens.weight",
        "output_norm.weight": "model.norm.weight",
        "output.weight": "lm_head.weight",
    }
    if gguf_name in top:
        return top[gguf_name]
    blk, layer, rest = gguf_name.split(".", 2)
    assert blk == "blk", gguf_name
    module, kind = rest.rsplit(".", 1)
    return f"model.layers.{layer}.{LAYER_NAMES[family][module]}.{kind}"


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_weights(family, path, model):
    """Max |transformers weight - gguf-py dequantisation| over all tensors."""
    import gguf

    reader = gguf.GGUFReader(str(path))
    params = dict(model.named_parameters())
    worst, checked, types = 0.0, 0, {}
    for t in reader.tensors:
        name = hf_name(family, t.name)
        want = gguf.quants.dequantize(t.data, t.tensor_type).reshape(
            [int(d) for d in reversed(t.shape)]
        )
        want = want.astype(np.float64)
        if family == "gemma3" and name.endswith("norm.weight"):
            want = want - 1.0  # llama.cpp's converter stored 1 + w
        got = params[name].detach().double().numpy()
        assert got.shape == want.shape, (name, got.shape, want.shape)
        worst = max(worst, float(np.abs(got - want).max()))
        checked += 1
        types[t.tensor_type.name] = types.get(t.tensor_type.name, 0) + 1
    tied = model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()
    return {
        "tensors_checked": checked,
        "tensor_types": types,
        "max_abs_diff_vs_gguf_py_dequantize": worst,
        "lm_head_tied_to_embed_tokens": tied,
    }


class Recorder:
    """Forward hooks on embed_tokens and every decoder layer: h_0 .. h_L."""

    def __init__(self, model):
        self.states = []
        inner = model.model
        self.handles = [inner.embed_tokens.register_forward_hook(self.hook)]
        self.handles += [layer.register_forward_hook(self.hook) for layer in inner.layers]

    def hook(self, _module, _inputs, output):
        h = output[0] if isinstance(output, tuple) else output
        self.states.append(h.detach())

    def remove(self):
        for h in self.handles:
            h.remove()


def forward(model, ids):
    """Logits at the last position and per-layer mean residual norms."""
    import torch

    recorder = Recorder(model)
    try:
        with torch.no_grad():
            out = model(torch.tensor([ids]), use_cache=False)
    finally:
        recorder.remove()
    n_layers = model.config.num_hidden_layers
    assert len(recorder.states) == n_layers + 1, len(recorder.states)
    norms = [float(h[0].double().norm(dim=-1).mean()) for h in recorder.states]
    return out.logits[0, -1], norms, recorder.states


def greedy(model, ids, steps):
    import torch

    seq, gaps = list(ids), []
    for _ in range(steps):
        with torch.no_grad():
            logits = model(torch.tensor([seq]), use_cache=False).logits[0, -1]
        top2 = torch.topk(logits, 2)
        seq.append(int(torch.argmax(logits)))
        gaps.append(float(top2.values[0] - top2.values[1]))
    return seq[len(ids):], gaps


def top_entries(logits, k):
    import torch

    logprobs = torch.log_softmax(logits.double(), dim=-1)
    # Largest logit first, lower id first on ties (as the Rust side).
    values, idx = torch.sort(logits, descending=True, stable=True)
    return [
        {"id": int(i), "logit": float(v), "logprob": float(logprobs[i])}
        for v, i in zip(values[:k], idx[:k])
    ]


def run_model(spec, models_dir):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = models_dir / spec["file"]
    digest = sha256(path)
    assert digest == spec["sha256"], f"{path}: sha256 {digest}"
    t0 = time.time()
    tok = AutoTokenizer.from_pretrained(models_dir, gguf_file=spec["file"])
    t_tok = time.time() - t0
    t0 = time.time()
    model = AutoModelForCausalLM.from_pretrained(
        models_dir, gguf_file=spec["file"], dtype=torch.float32, attn_implementation="eager"
    )
    model.eval()
    t_load = time.time() - t0
    cfg = model.config
    print(f"{spec['key']}: tokenizer {t_tok:.1f} s, model {t_load:.1f} s", file=sys.stderr)

    weights = check_weights(spec["key"], path, model)
    print(f"{spec['key']}: weights {weights}", file=sys.stderr)
    assert weights["max_abs_diff_vs_gguf_py_dequantize"] < 1e-6, weights

    prompts = []
    for name, text in PROMPTS + ([LONG_PROMPT] if spec.get("long_prompt") else []):
        ids = tok(text).input_ids
        has_bos = ids[0] == tok.bos_token_id
        assert has_bos == spec["expect_bos"], (spec["key"], ids[:3], tok.bos_token_id)
        if name == LONG_PROMPT[0]:
            assert len(ids) > cfg.sliding_window + NEW_TOKENS, (len(ids), cfg.sliding_window)
        t0 = time.time()
        logits, norms, _ = forward(model, ids)
        top = top_entries(logits, TOP_K)
        new_ids, gaps = greedy(model, ids, NEW_TOKENS)
        elapsed = time.time() - t0
        print(f"{spec['key']}/{name}: {len(ids)} ids, {elapsed:.1f} s, top-3 "
              f"{[(tok.decode([e['id']]), round(e['logit'], 4)) for e in top[:3]]}, "
              f"greedy {tok.decode(new_ids)!r}", file=sys.stderr)
        entry = {}
        if name == LONG_PROMPT[0]:
            # How much the window matters here: the same forward with it lifted.
            window = cfg.sliding_window
            cfg.sliding_window = 1 << 30
            try:
                unwindowed, _, _ = forward(model, ids)
            finally:
                cfg.sliding_window = window
            entry["without_sliding_window_max_abs_logit_change_top20"] = max(
                abs(float(unwindowed[e["id"]]) - e["logit"]) for e in top)
            print(f"{spec['key']}/{name}: lifting the window moves the top-20 logits by up to "
                  f"{entry['without_sliding_window_max_abs_logit_change_top20']:.3f}",
                  file=sys.stderr)
        prompts.append({
            **entry,
            "name": name,
            "text": text,
            "input_ids": ids,
            "tokens": [tok.decode([i]) for i in ids] if len(ids) <= 64 else None,
            "tokenizer_adds_bos": bool(has_bos),
            "top20": [{**e, "token": tok.decode([e["id"]])} for e in top],
            "residual_norm_mean_over_positions_per_layer": norms,
            "greedy_12": new_ids,
            "greedy_12_text": tok.decode(new_ids),
            "greedy_12_top1_top2_logit_gap": gaps,
        })

    # The same forward in float64: how far the float32 reference is from exact.
    model = model.double()
    for prompt in prompts:
        logits, norms, _ = forward(model, prompt["input_ids"])
        f32_ids = [e["id"] for e in prompt["top20"]]
        prompt["float64"] = {
            "top20_logits_of_the_float32_top20_ids": [float(logits[i]) for i in f32_ids],
            "top20_ids": [e["id"] for e in top_entries(logits, TOP_K)],
            "residual_norm_mean_over_positions_per_layer": norms,
        }
        dl = max(abs(a - e["logit"]) for a, e in
                 zip(prompt["float64"]["top20_logits_of_the_float32_top20_ids"], prompt["top20"]))
        dn = max(abs(a - b) / b for a, b in
                 zip(norms, prompt["residual_norm_mean_over_positions_per_layer"]))
        prompt["float32_vs_float64"] = {"max_abs_logit_diff_top20": dl, "max_rel_norm_diff": dn}
        print(f"{spec['key']}/{prompt['name']}: float32 vs float64: max |dlogit| {dl:.2e}, "
              f"max rel norm {dn:.2e}", file=sys.stderr)

    rope = getattr(cfg, "rope_parameters", None)
    return {
        "file": spec["file"],
        "sha256": digest,
        "hf_class": type(model).__name__,
        "config": {
            "model_type": cfg.model_type,
            "num_hidden_layers": cfg.num_hidden_layers,
            "hidden_size": cfg.hidden_size,
            "intermediate_size": cfg.intermediate_size,
            "num_attention_heads": cfg.num_attention_heads,
            "num_key_value_heads": cfg.num_key_value_heads,
            "head_dim": getattr(cfg, "head_dim", None),
            "vocab_size": cfg.vocab_size,
            "rms_norm_eps": cfg.rms_norm_eps,
            "rope_parameters": rope,
            "tie_word_embeddings": cfg.tie_word_embeddings,
            "layer_types": getattr(cfg, "layer_types", None),
            "sliding_window": getattr(cfg, "sliding_window", None),
            "query_pre_attn_scalar": getattr(cfg, "query_pre_attn_scalar", None),
        },
        "weights_check": weights,
        "load_seconds": round(t_load, 1),
        "prompts": prompts,
    }


def main():
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models-dir", type=Path, default=Path(os.environ.get(
        "MECHSCOPE_MODELS", Path.home() / ".cache/mechscope/models")))
    parser.add_argument("--out", type=Path, default=here.parent / "data/family_reference.json")
    args = parser.parse_args()

    import gguf
    import torch
    import transformers

    torch.set_num_threads(2)
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)

    result = {
        "fixture": "family_reference",
        "generated_by": "crates/model/tests/reference/make_family_reference.py",
        "reference": "Hugging Face transformers loading the GGUF (its own dequantisation), "
                     "float32, CPU, eager attention; float64 of the same model for scale",
        "software": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "gguf": getattr(gguf, "__version__", None) or _dist_version("gguf"),
            "numpy": np.__version__,
        },
        "conventions": {
            "h_l": "l=0: output of embed_tokens (Gemma: times sqrt(d)); l=1..L: output of "
                   "decoder layer l, before the final norm (forward hooks)",
            "residual_norm": "L2 norm over d_model per position, mean over positions",
            "logprob": "log_softmax over the whole vocabulary in float64 of float32 logits",
            "top20_order": "descending logit, lower id first on ties",
            "greedy_12": "argmax (first on ties), no stop token, full forward per step",
        },
        "models": {},
    }
    for spec in MODELS:
        result["models"][spec["key"]] = run_model(spec, args.models_dir)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)


def _dist_version(name):
    from importlib.metadata import version

    return version(name)


if __name__ == "__main__":
    main()
