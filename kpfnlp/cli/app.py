"""The root typer application; command modules register their subcommands on it."""

import typer

app = typer.Typer(
    name="kpfnlp",
    help="Korean news NLP suite: text pipeline, tokenizer, BERT pretraining and the applications built on it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
