"""Builds a stas-clip checkpoint directory from an HF CLIP checkpoint directory.

  python -m stasclip.convert CLIP_DIR OUT_DIR --labels labels.txt [--frames 8] [--temporal-modeling tws] ...

CLIP's tensors are copied by name, the new ones (communication token, temporal modelling, MIT, aux head)
are drawn at random with --seed, and the tokenizer and preprocessor files are copied from CLIP_DIR.
"""
from __future__ import annotations

import argparse

import torch

from .modeling_stas_clip import AUX_HEADS, TEMPORAL_MODELING, STASCLIPModel


def main(argv: list[str] | None = None) -> None:
    """Command line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("clip_dir", help="HF CLIP checkpoint directory (config.json, weights, tokenizer files)")
    parser.add_argument("out_dir", help="where to write the stas-clip checkpoint")
    parser.add_argument("--labels", help="text file, one aux-head class name per line (needed with an aux head)")
    parser.add_argument("--frames", type=int, default=8, help="T, frames per clip (default 8)")
    parser.add_argument("--temporal-modeling", choices=TEMPORAL_MODELING, default="tws")
    parser.add_argument("--no-communication-token", action="store_true",
                        help="plain CLIP layers (needs --temporal-modeling none)")
    parser.add_argument("--no-end-transformer", action="store_true", help="v = mean of the frame embeddings")
    parser.add_argument("--aux-head", choices=AUX_HEADS, default="covariance")
    parser.add_argument("--aux-dim", type=int, default=128, help="D', the reduced width of the aux head")
    parser.add_argument("--mit-heads", type=int, default=8, help="attention heads of the end transformer (default 8)")
    parser.add_argument("--aux-heads", type=int, default=8,
                        help="attention heads of the aux head's temporal transformer (default 8)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the new parameters' random init")
    args = parser.parse_args(argv)

    labels = []
    if args.labels:
        with open(args.labels, encoding="utf-8") as f:
            labels = [line.strip() for line in f if line.strip()]
    torch.manual_seed(args.seed)
    model = STASCLIPModel.from_clip(args.clip_dir, num_frames=args.frames, temporal_modeling=args.temporal_modeling,
                                    communication_token=not args.no_communication_token,
                                    end_transformer=not args.no_end_transformer, aux_head=args.aux_head,
                                    aux_dim=args.aux_dim, aux_labels=labels, mit_num_attention_heads=args.mit_heads,
                                    aux_num_attention_heads=args.aux_heads)
    model.save_pretrained(args.out_dir)
    count = sum(p.numel() for p in model.parameters())
    print(f"{args.out_dir}: stas-clip, {count} parameters, temporal_modeling={args.temporal_modeling}, "
          f"aux_head={args.aux_head}, {len(labels)} aux labels")


if __name__ == "__main__":
    main()
