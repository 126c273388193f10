"""``python -m rwkvkit bench tokenizer ...`` (rwkvkit.bench)."""

import sys

from .bench import main

USAGE = "usage: python -m rwkvkit bench tokenizer --input FILE.jsonl [--tokenizer NAME=SPEC ...] (-h for help)"

if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:2] != ["bench", "tokenizer"]:
        print(USAGE, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(args[2:]))
