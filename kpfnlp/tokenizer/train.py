"""Train a cased Korean WordPiece tokenizer with the `tokenizers` library and save it as a HF directory."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import BertTokenizerFast, PreTrainedTokenizerFast

from kpfnlp.tokenizer.morpheme import CONTINUATION_MARK, mark_morphemes, splits_word

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
PREFIX = "##"
# The trainer is asked for this share of extra tokens, cut off afterwards: room for completing the alphabet
# and for the morpheme marks that collapse into tokens already there.
_EXTRA_SHARE = 0.125


def build_pipeline(vocab: dict[str, int] | None = None) -> Tokenizer:
    """A BERT WordPiece pipeline, cased, Hangul kept as syllables (no accent stripping)."""
    tok = Tokenizer(models.WordPiece(vocab or {}, unk_token="[UNK]", continuing_subword_prefix=PREFIX))
    tok.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=False
    )
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece(prefix=PREFIX)
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS]:0 $A:0 [SEP]:0",
        pair="[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1",
        special_tokens=[("[CLS]", SPECIAL_TOKENS.index("[CLS]")), ("[SEP]", SPECIAL_TOKENS.index("[SEP]"))],
    )
    return tok


def finalize_vocab(trained: list[str], vocab_size: int) -> dict[str, int]:
    """Turn the trainer's tokens (in id order) into the final vocabulary of at most `vocab_size` tokens.

    Continuation marks become `##`; each character that can sit inside a word gets both its word-initial
    and its `##` form, so a word whose pieces were all seen never falls back to [UNK].
    """
    tokens: list[str] = list(SPECIAL_TOKENS)
    chars: list[str] = []
    learned: list[str] = []
    for token in trained:
        if token in SPECIAL_TOKENS or token == CONTINUATION_MARK:
            continue
        if token.startswith(CONTINUATION_MARK):
            token = PREFIX + token[len(CONTINUATION_MARK) :]
        bare = token.removeprefix(PREFIX)
        if len(bare) == 1:
            chars += [bare, PREFIX + bare] if not splits_word(bare) else [bare]
        else:
            learned.append(token)
    seen: dict[str, None] = dict.fromkeys(tokens + chars + learned)
    return {token: i for i, token in enumerate(list(seen)[:vocab_size])}


def _training_texts(texts: Iterable[str], morpheme_aware: bool) -> Iterator[str]:
    for text in texts:
        yield mark_morphemes(text) if morpheme_aware else text


def train_wordpiece(
    texts: Iterable[str],
    out_dir: str | Path,
    vocab_size: int = 24_000,
    min_frequency: int = 2,
    limit_alphabet: int | None = 8_000,
    morpheme_aware: bool = False,
    model_max_length: int = 512,
    show_progress: bool = False,
) -> PreTrainedTokenizerFast:
    """Learn a WordPiece vocabulary from `texts` and save a BERT tokenizer directory to `out_dir`.

    With `morpheme_aware`, the vocabulary is learned on text cut at mecab-ko morpheme boundaries (as KLUE
    did); the saved tokenizer is still plain WordPiece on raw text.
    """
    if vocab_size <= len(SPECIAL_TOKENS):
        raise ValueError(f"vocab_size must exceed the {len(SPECIAL_TOKENS)} special tokens, got {vocab_size}")
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size + int(vocab_size * _EXTRA_SHARE),
        min_frequency=min_frequency,
        limit_alphabet=limit_alphabet,
        special_tokens=list(SPECIAL_TOKENS),
        continuing_subword_prefix=PREFIX,
        show_progress=show_progress,
    )
    pipeline = build_pipeline()
    pipeline.train_from_iterator(_training_texts(texts, morpheme_aware), trainer=trainer)
    trained = sorted(pipeline.get_vocab(), key=pipeline.get_vocab().__getitem__)
    vocab = finalize_vocab(trained, vocab_size)
    if len(vocab) <= len(SPECIAL_TOKENS):
        raise ValueError("no text to learn a vocabulary from")
    tokenizer = BertTokenizerFast(
        tokenizer_object=build_pipeline(vocab),
        do_lower_case=False,
        strip_accents=False,
        tokenize_chinese_chars=True,
        model_max_length=model_max_length,
    )
    tokenizer.save_pretrained(str(out_dir))
    _write_bert_files(Path(out_dir), vocab)
    return tokenizer


def _write_bert_files(out_dir: Path, vocab: dict[str, int]) -> None:
    """Add the classic BERT files (transformers 5 writes only tokenizer.json and tokenizer_config.json)."""
    (out_dir / "vocab.txt").write_text("".join(f"{t}\n" for t in sorted(vocab, key=vocab.__getitem__)), "utf-8")
    names = ("pad_token", "unk_token", "cls_token", "sep_token", "mask_token")
    special = dict(zip(names, SPECIAL_TOKENS, strict=True))
    (out_dir / "special_tokens_map.json").write_text(json.dumps(special, indent=2) + "\n", "utf-8")
