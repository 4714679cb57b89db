"""A real, small tokenizer trained with `tokenizers`' own BPE trainer, saved as a model directory.

The T-rule tests load it through the configuration, exactly as a user points ftlint at a model:
no download, no mock. Chat templates are written beside it in tokenizer_config.json.
"""
from __future__ import annotations

import json
from pathlib import Path

from _records import WORDS

SPECIAL = ["<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>", "<|tool_sep|>"]

CHATML = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
          "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")
# Gemma's shape: no system role, strict alternation, `model` for the assistant.
NO_SYSTEM = ("{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}"
             "{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
             "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
             "{% if message['role'] == 'assistant' %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}"
             "{% endif %}{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}"
             "{% endfor %}")
# Renders only the roles it knows: a developer or tool turn silently vanishes.
DROPS_OTHERS = ("{% for m in messages %}{% if m['role'] in ['system', 'user', 'assistant'] %}"
                "<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endif %}{% endfor %}")


def corpus() -> list[str]:
    lines = []
    for i in range(400):
        words = [WORDS[(i * 7 + j * 13) % len(WORDS)] for j in range(12)]
        lines.append(" ".join(words).capitalize() + ". Numbers 12345, symbols !?; and Grüße.")
    return lines


def build_tokenizer(directory: Path, template: str | None = CHATML, vocab_size: int = 600) -> Path:
    """Train a byte-level BPE tokenizer and save tokenizer.json (+ tokenizer_config.json)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    directory.mkdir(parents=True, exist_ok=True)
    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tokenizer.train_from_iterator(corpus(), trainer)
    tokenizer.save(str(directory / "tokenizer.json"))
    if template is not None:
        config = {"bos_token": "<s>", "eos_token": {"content": "</s>", "special": True}, "chat_template": template}
        (directory / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    return directory / "tokenizer.json"


def write_config(root: Path, **tokens) -> Path:
    """ftlint.toml with a [tokens] table (strings quoted, numbers as they are)."""
    lines = ["[tokens]"] + [f"{key.replace('_', '-')} = {json.dumps(value)}" for key, value in tokens.items()]
    path = root / "ftlint.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
