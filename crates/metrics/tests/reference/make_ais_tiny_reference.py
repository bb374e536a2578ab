#!/usr/bin/env python3
"""Independent reference for the whole AIS pipeline (metrics.md §2) on the tiny GPT-2.

The Rust test runs importance -> top/bottom-n masks -> ablation -> log-likelihood
multiple choice -> AIS natively and in the browser (WASM, WebGPU) and compares with
the numbers written here. The oracle is Hugging Face `transformers` `GPT2LMHeadModel`
in float32, eager attention, eval mode (no dropout); nothing is shared with Rust.

Inputs (token ids only, no tokenizer), drawn from `random.Random(2026)` in this order and
stored in the JSON so the consumer reads them instead of regenerating them:
- abilities "quantitative", "spatial": 6 training sequences each, length 8..=20, ids 0..300;
- benchmark "shared": 12 items, 4 options sharing one context (length 4..=12), each
  continuation length 1..=4, continuation_chars 1..=20, gold uniform;
- benchmark "distinct": 12 items, 2 options with their own contexts (length 4..=12 each)
  and continuations of length 1..=3 (Winogrande-like), continuation_chars 1..=20.

Conventions:
- N_total = model.num_parameters(): every parameter once (tied wte/lm_head once).
- Canonical MLP flat order: layer-major; in a layer "up" = h.{l}.mlp.c_fc.weight then
  "down" = h.{l}.mlp.c_proj.weight, each flattened row-major in the [out, in] layout.
  HF Conv1D stores weight as [in, out], so we flatten weight.T (c_fc [96,32], c_proj [32,96]).
- Per ability: model.zero_grad() once, then per training sequence a separate forward +
  backward of the HF causal-LM loss (labels = input_ids, mean over the T-1 targets), so
  G = sum over items of grad L_item. Importance I = |W * G| in float32, MLP weights only.
- Budget n = floor(k * N_total) in exact integers (k = 1/100 and 5/100).
- top-n: n largest I, ties -> lower flat index; bottom-n: n smallest I, ties -> lower flat
  index. Stored as ascending index lists; *_cut = [I at rank n, I at rank n+1].
- Scoring: each option's context + continuation alone (batch 1, no padding); score = sum
  over continuation tokens of log_softmax(logits[p])[ids[p+1]]. pred = first argmax of
  score, pred_norm = first argmax of score / continuation_chars; acc, acc_norm = mean
  correctness; chance = mean 1/n_options.
- Ablation: the masked MLP weights are set to 0 in place, the benchmarks scored, then the
  weights restored from a saved copy. AIS (acc) = (P - P_abl) / (P - chance), null with
  reason "P <= chance" when P <= chance.
- checks: base re-scored after every ablation/restore (must equal the first base run
  exactly), weights bit-identical after restore, the smallest gap between the best and
  second-best option score (raw and per-char, over all conditions: a tiny gap would let
  float noise flip a prediction), and how many top/bottom selections change when the
  importance is recomputed with a float64 copy of the model (fragility of the masks).

Run (a few seconds on CPU):
    ~/.cache/mechscope/py/bin/python crates/metrics/tests/reference/make_ais_tiny_reference.py
Writes crates/metrics/tests/data/ais_tiny_reference.json (compact JSON).
"""

import copy
import json
import platform
import random
from pathlib import Path

import numpy as np
import torch
import transformers
from transformers import GPT2LMHeadModel

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
MODEL_DIR = "crates/model/tests/data/gpt2-tiny"
OUT = HERE.parent / "data" / "ais_tiny_reference.json"
SEED = 2026
VOCAB = 300
KS = [(0.01, 1, 100), (0.05, 5, 100)]  # (k, numerator, denominator): n = N_total * num // den
ABILITIES = ["quantitative", "spatial"]
N_TRAIN, N_ITEMS, N_TOP = 6, 12, 20


def make_inputs(rng, n_positions):
    """Abilities' training sequences and the two benchmarks, in a fixed draw order."""
    ids = lambda n: [rng.randrange(VOCAB) for _ in range(n)]
    abilities = [{"name": a, "train": [ids(rng.randint(8, 20)) for _ in range(N_TRAIN)]} for a in ABILITIES]

    def option(ctx, max_cont):
        return {"context_ids": ctx, "continuation_ids": ids(rng.randint(1, max_cont)),
                "continuation_chars": rng.randint(1, 20)}

    shared, distinct = [], []
    for _ in range(N_ITEMS):  # 4 options, one shared context
        ctx = ids(rng.randint(4, 12))
        shared.append({"options": [option(ctx, 4) for _ in range(4)], "gold": rng.randrange(4)})
    for _ in range(N_ITEMS):  # 2 options, each with its own context
        distinct.append({"options": [option(ids(rng.randint(4, 12)), 3) for _ in range(2)], "gold": rng.randrange(2)})
    benchmarks = []
    for name, items in [("shared", shared), ("distinct", distinct)]:
        assert all(len(o["context_ids"]) + len(o["continuation_ids"]) <= n_positions
                   for it in items for o in it["options"])
        chance = float(np.mean([1.0 / len(it["options"]) for it in items]))
        benchmarks.append({"name": name, "chance": chance, "items": items})
    return abilities, benchmarks


def mlp_mats(model):
    """Conv1D weights of the MLP in canonical order (each stored [in, out])."""
    return [w for block in model.transformer.h for w in (block.mlp.c_fc.weight, block.mlp.c_proj.weight)]


def flat_out_in(tensors):
    """Concatenate [in, out] Conv1D tensors as row-major [out, in] matrices."""
    return torch.cat([t.detach().T.contiguous().reshape(-1) for t in tensors])


def first_argmax(xs):
    return int(np.argmax(np.asarray(xs)))  # np.argmax returns the first maximum


@torch.no_grad()
def score_benchmark(model, bench):
    """Log-likelihood multiple choice: per-option scores, predictions and accuracies."""
    scores, pred, pred_norm = [], [], []
    for it in bench["items"]:
        row = []
        for o in it["options"]:
            c, seq = len(o["context_ids"]), o["context_ids"] + o["continuation_ids"]
            logits = model(torch.tensor([seq])).logits[0]  # [T, V] float32
            logp = torch.log_softmax(logits, dim=-1)
            # token at position p is predicted by the logits at p - 1
            row.append(float(sum(logp[p - 1, seq[p]] for p in range(c, len(seq)))))
        scores.append(row)
        pred.append(first_argmax(row))
        pred_norm.append(first_argmax([s / o["continuation_chars"] for s, o in zip(row, it["options"])]))
    acc = lambda preds: float(np.mean([p == it["gold"] for p, it in zip(preds, bench["items"])]))
    return {"scores": scores, "pred": pred, "pred_norm": pred_norm, "acc": acc(pred), "acc_norm": acc(pred_norm)}


def importance(model, train):
    """I = |W * sum_items grad L_item| over the MLP weights, flat canonical order (float32)."""
    model.zero_grad(set_to_none=True)
    losses = []
    for seq in train:
        x = torch.tensor([seq])
        loss = model(input_ids=x, labels=x).loss  # mean over the T-1 shifted targets
        loss.backward()  # gradients accumulate (sum) across items
        losses.append(loss.item())
    mats = mlp_mats(model)
    imp = (flat_out_in(mats) * flat_out_in([m.grad for m in mats])).abs()
    model.zero_grad(set_to_none=True)
    return losses, imp.numpy()


def select(imp, n):
    """top/bottom n by importance, ties -> lower flat index; plus values at ranks n, n+1."""
    idx = np.arange(imp.size)
    top = np.lexsort((idx, -imp))  # primary: -imp ascending, secondary: index
    bottom = np.lexsort((idx, imp))
    cut = lambda order: [float(imp[order[n - 1]]), float(imp[order[n]])]
    return (sorted(int(i) for i in top[:n]), cut(top), sorted(int(i) for i in bottom[:n]), cut(bottom))


def set_zero(model, flat_indices, sizes):
    """Zero the given canonical flat indices in the MLP weights (in place)."""
    mask = torch.zeros(sum(sizes), dtype=torch.bool)
    mask[torch.tensor(flat_indices, dtype=torch.long)] = True
    with torch.no_grad():
        for m, part in zip(mlp_mats(model), torch.split(mask, sizes)):
            m.T[part.reshape(m.shape[1], m.shape[0])] = 0.0  # m.T is the [out, in] view


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    model = GPT2LMHeadModel.from_pretrained(
        str(REPO / MODEL_DIR), torch_dtype=torch.float32, attn_implementation="eager").eval()
    n_total = model.num_parameters()
    param_numels = {n: p.numel() for n, p in model.named_parameters()}  # tied weight listed once
    assert sum(param_numels.values()) == n_total
    sizes = [m.numel() for m in mlp_mats(model)]
    n_mlp = sum(sizes)

    abilities, benchmarks = make_inputs(random.Random(SEED), model.config.n_positions)

    # Importance and masks per ability.
    for ab in abilities:
        ab["losses"], imp = importance(model, ab["train"])
        ab["importance_sum"] = float(imp.astype(np.float64).sum())
        order = np.lexsort((np.arange(imp.size), -imp))[:N_TOP]
        ab["top20"] = [[int(i), float(imp[i])] for i in order]
        ab["budgets"] = []
        for k, num, den in KS:
            n = n_total * num // den
            top, top_cut, bottom, bottom_cut = select(imp, n)
            ab["budgets"].append({"k": k, "n_sel": n, "top": top, "bottom": bottom,
                                  "top_cut": top_cut, "bottom_cut": bottom_cut})

    # Base scores, then every ablation (zero, score, restore exactly).
    base = {b["name"]: score_benchmark(model, b) for b in benchmarks}
    saved = [m.detach().clone() for m in mlp_mats(model)]
    ablated = []
    for ab in abilities:
        for bud in ab["budgets"]:
            for mask in ["top", "bottom"]:
                set_zero(model, bud[mask], sizes)
                res = {}
                for b in benchmarks:
                    r = score_benchmark(model, b)
                    P, chance = base[b["name"]]["acc"], b["chance"]
                    defined = P > chance  # AIS is undefined (null, with a reason) when P <= chance
                    r["ais"] = (P - r["acc"]) / (P - chance) if defined else None
                    r["ais_reason"] = None if defined else "P <= chance"
                    res[b["name"]] = r
                with torch.no_grad():
                    for m, s in zip(mlp_mats(model), saved):
                        m.copy_(s)
                ablated.append({"ability": ab["name"], "k": bud["k"], "n_sel": bud["n_sel"],
                                "mask": mask, "benchmarks": res})

    # Checks: restoration is exact; prediction margins; masks recomputed in float64.
    weights_identical = all(torch.equal(m, s) for m, s in zip(mlp_mats(model), saved))
    again = {b["name"]: score_benchmark(model, b) for b in benchmarks}
    diff = max(abs(x - y) for name in base for r0, r1 in zip(base[name]["scores"], again[name]["scores"])
               for x, y in zip(r0, r1))
    gap2 = lambda row: sorted(row)[-1] - sorted(row)[-2]
    margins, margins_norm = [], []
    for r in [base] + [a["benchmarks"] for a in ablated]:
        for b in benchmarks:
            for row, it in zip(r[b["name"]]["scores"], b["items"]):
                margins.append(gap2(row))
                margins_norm.append(gap2([s / o["continuation_chars"] for s, o in zip(row, it["options"])]))
    model64, flips64 = copy.deepcopy(model).double(), 0
    for ab in abilities:
        imp64 = importance(model64, ab["train"])[1]
        for bud in ab["budgets"]:
            top, _, bottom, _ = select(imp64, bud["n_sel"])
            flips64 += int(top != bud["top"]) + int(bottom != bud["bottom"])

    # Sanity checks.
    for bud in (bud for ab in abilities for bud in ab["budgets"]):
        n, top, bottom = bud["n_sel"], set(bud["top"]), set(bud["bottom"])
        assert len(top) == len(bottom) == n and (n > n_mlp // 2 or not top & bottom)
    for r in [base] + [a["benchmarks"] for a in ablated]:
        for name, v in r.items():
            assert len(v["pred"]) == len(v["pred_norm"]) == N_ITEMS == len(v["scores"])

    out = {
        "fixture": "ais_tiny",
        "model_dir": MODEL_DIR,
        "software": {"python": platform.python_version(), "torch": torch.__version__,
                     "transformers": transformers.__version__, "numpy": np.__version__},
        "seed": SEED, "n_total": n_total, "n_mlp": n_mlp, "param_numels": param_numels,
        "ks": [k for k, _, _ in KS],
        "abilities": abilities, "benchmarks": benchmarks, "base": base, "ablated": ablated,
        "checks": {"restored_max_abs_diff": float(diff), "restored_weights_identical": weights_identical,
                   "min_pred_margin": float(min(margins)), "min_pred_norm_margin": float(min(margins_norm)),
                   "selections_differing_in_float64": flips64},
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, separators=(",", ":")) + "\n")

    # Summary.
    print(f"N_total {n_total}  N_mlp {n_mlp}  restored diff {diff}  weights identical {weights_identical}"
          f"\nmin pred margin {min(margins):.3g} (norm {min(margins_norm):.3g})  float64 mask flips {flips64}")
    for ab in abilities:
        print(ab["name"], "losses", [round(x, 3) for x in ab["losses"]], "I sum", f"{ab['importance_sum']:.4g}",
              "n_sel/top_cut/bottom_cut",
              [(b["n_sel"], *(f"{x:.6g}" for x in b["top_cut"] + b["bottom_cut"])) for b in ab["budgets"]])
    for b in benchmarks:
        name = b["name"]
        print(f"[{name}] chance {b['chance']:.3f}  base acc {base[name]['acc']:.3f} acc_norm {base[name]['acc_norm']:.3f}")
        for a in ablated:
            r = a["benchmarks"][name]
            print(f"   {a['ability']:12s} k={a['k']:<5} {a['mask']:6s} acc {r['acc']:.3f} "
                  f"acc_norm {r['acc_norm']:.3f}  AIS {r['ais'] if r['ais'] is None else round(r['ais'], 4)}")
    print("wrote", OUT, f"({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
