"""Int8 dynamic quantization of a model's linear layers for CPU inference (the encoder's and summarizer's `int8`).

torch's eager dynamic quantization (`torch.ao.quantization.quantize_dynamic`): int8 weights, activations quantized
per batch, fbgemm/x86 kernels. torch marks the module deprecated but ships it (2.13); its suggested replacement,
torchao, was 1.1x here without `torch.compile`, against 3.1x for this (docs/benchmarks.md, "int8 on the CPU").
"""

from __future__ import annotations

import warnings

import torch


def quantize_linears(module: torch.nn.Module) -> torch.nn.Module:
    """Replace every `nn.Linear` under `module` by its dynamically quantized int8 version, in place; eval mode."""
    try:
        from torch.ao.quantization import quantize_dynamic
    except ImportError as err:
        raise RuntimeError("int8 needs torch.ao.quantization, which this torch lacks; run in fp32") from err
    if any(p.device.type != "cpu" for p in module.parameters()):
        raise ValueError("int8 dynamic quantization runs on the CPU; load the model on the CPU")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*(torch\.ao\.quantization|quantize_per_tensor).*deprecated")
        quantize_dynamic(module, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
    return module.eval()
