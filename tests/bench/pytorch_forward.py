"""The traced forward of `mechscope bench-forward`, in PyTorch, for BENCHMARKS.md.

Loads the same GGUF file with transformers (dequantised to float32, eager attention),
records the MLP activation function's output and the residual stream (the embedding
and every decoder layer's output) with forward hooks, and times the forward over the same token ids as the Rust bench at each
length: one warm-up, then the median of the timed runs. No logits: the base model's
forward, as the Rust bench skips the unembedding. Prints JSON on stdout.

    python tests/bench/pytorch_forward.py MODEL.gguf [--tokens 128,512] [--repeats 3]
"""

import argparse
import json
import os
import resource
import statistics
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="a GGUF file")
    parser.add_argument("--tokens", default="128,512", help="sequence lengths, comma-separated")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per length")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import torch
    import transformers
    from transformers import AutoModelForCausalLM

    transformers.logging.disable_progress_bar()
    torch.set_num_threads(args.threads)
    directory, file_name = os.path.split(os.path.abspath(args.model))
    started = time.perf_counter()
    model = AutoModelForCausalLM.from_pretrained(
        directory,
        gguf_file=file_name,
        dtype=torch.float32,
        attn_implementation="eager",
    )
    model.eval()
    load_s = time.perf_counter() - started

    recorded = []

    def record(_module, _inputs, output):
        # Decoder layers return a tensor or a tuple whose first item is the hidden state.
        recorded.append(output[0] if isinstance(output, tuple) else output)

    # The residual stream from h_0 (the embedding) to h_L, as the Rust trace records it.
    model.model.embed_tokens.register_forward_hook(record)
    for layer in model.model.layers:
        layer.mlp.act_fn.register_forward_hook(record)
        layer.register_forward_hook(record)

    vocab = model.config.vocab_size
    runs = []
    for tokens in (int(t) for t in args.tokens.split(",") if t):
        # The Rust bench's ids, so both sides see the same sequences.
        ids = torch.tensor([[(i * 7919 + 13) % vocab for i in range(tokens)]])
        times = []
        for run in range(max(args.repeats, 1) + 1):
            recorded.clear()
            begin = time.perf_counter()
            with torch.inference_mode():
                model.model(input_ids=ids, use_cache=False)
                checksum = sum(float(t.sum()) for t in recorded)
            if run > 0:
                times.append(time.perf_counter() - begin)
        seconds = statistics.median(times)
        runs.append(
            {
                "tokens": tokens,
                "seconds": seconds,
                "tokens_per_s": tokens / seconds,
                "recorded_tensors": len(recorded),
                "checksum": checksum,
            }
        )

    json.dump(
        {
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "threads": torch.get_num_threads(),
            "load_s": load_s,
            "runs": runs,
            # ru_maxrss is in KiB on Linux.
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        },
        sys.stdout,
        indent=2,
    )
    print()


if __name__ == "__main__":
    main()
