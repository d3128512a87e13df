"""`python -m kpfnlp ...` (and `torchrun -m kpfnlp pretrain ...` for multi-process training)."""

from kpfnlp.cli import main

main()
