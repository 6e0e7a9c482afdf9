"""LRP for Hugging Face transformers (BERT, ViT) and token-set relevance.

LRP on an unmodified ``transformers`` model, as modified gradients installed by hooks
(Ali et al., ICML 2022, "XAI for transformers: better explanations through conservative
propagation"; Achtibat et al., ICML 2024, AttnLRP):

* linear layers: the rules of :mod:`symxai.backends.lrp` (LRP-0 / epsilon / gamma);
* LayerNorm: the normalisation ``sigma`` is treated as a constant, so the layer is the
  linear map ``y = (x - mean(x)) / [sigma]_det * w + b`` (the centring stays linear);
* attention: ``attention="constant"`` (default) treats the softmax output as a constant,
  so relevance flows through the values only (Ali et al.); ``attention="attnlrp"`` keeps
  the softmax gradient (AttnLRP's softmax rule, which is Input x Gradient:
  ``R(x_ij) = x_ij (R(A_ij) - A_ij sum_k R(A_ik))``, a Taylor decomposition with a bias
  term, Prop. 3.1 of the paper) and splits the relevance of the two attention products
  ``Q K^T`` and ``A V`` equally between their operands (AttnLRP's uniform rule for
  bilinear products, half the gradient each);
* element-wise activations (GELU, tanh, SiLU): the identity rule ``R_in = R_out``, i.e.
  the gradient ``g * f(x) / x``.

Token-set relevance uses the masking step of :mod:`symxai.backends.lrp.masking` on the
token states after the embeddings and after every encoder layer:
``h = m h + (1 - m) [h]_det``, so relevance flows only through the tokens of ``S`` (and
through the always-on special tokens such as ``[CLS]``/``[SEP]``), and

.. math::  v(S) = \\sum_{t \\in S \\cup \\text{special}}
                 e_t \\cdot \\partial_{e_t} f^{\\text{LRP}}_S

with ``e_t`` the embedding output of token ``t``. The masks act on the backward pass
only, so one forward pass of the input serves every subset and the masked backward
passes of many subsets run as one batch
(:mod:`symxai.backends.transformer_shared_forward`); ``shared_forward=False`` runs one
batch of ``B`` masked copies of the input instead. ``v(all) = f(x)`` minus what biases
(linear layers, LayerNorm) and the part of the embedding-LayerNorm absorb; with zero
biases it is exact (``TransformerLRPBackend.bias_absorption``) for ``attention="constant"``. Under
``attention="attnlrp"`` the softmax's bias term absorbs relevance as well, so with zero
biases ``v(all) = f(x) - sum R(A) + sum R(x)`` over the softmax inputs ``x`` and outputs
``A`` of every head.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch
from torch.overrides import TorchFunctionMode

from symxai.backends.base import Backend
from symxai.backends.lrp.composite import RuleSpec, lrp_hooks
from symxai.backends.lrp.frozen import frozen_parameters
from symxai.backends.lrp.masking import MaskGradient
from symxai.backends.lrp.rules import HalfGradient, stabilise
from symxai.backends.lrp.thread_hooks import register_thread_hook
from symxai.backends.target import Target, select_target
from symxai.backends.transformer_shared_forward import shared_forward_token_relevance
from symxai.errors import FeatureSpaceError

__all__ = ["ATTENTION_RULES", "TransformerLRPBackend", "transformer_lrp_rules"]

ATTENTION_RULES = ("constant", "attnlrp")
_ACTIVATIONS = (
    "GELUActivation",
    "GELU",
    "Tanh",
    "SiLU",
    "NewGELUActivation",
    "QuickGELUActivation",
)


class _IdentityRule(torch.autograd.Function):
    """Forward ``y = f(x)``; backward ``g * y / x``: relevance passes unchanged."""

    @staticmethod
    def forward(ctx: Any, inputs: torch.Tensor, value: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(value / stabilise(inputs.detach(), 1e-12))
        return value

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        (ratio,) = ctx.saved_tensors
        return grad * ratio, None


class _AttentionRule(TorchFunctionMode):
    """Intercepts the attention softmax and products while active."""

    _SOFTMAX: ClassVar[set[Any]] = {
        torch.nn.functional.softmax,
        torch.softmax,
        torch.Tensor.softmax,
    }
    _PRODUCTS: ClassVar[set[Any]] = {
        torch.matmul,
        torch.Tensor.matmul,
        torch.Tensor.__matmul__,
        torch.bmm,
    }

    def __init__(self, rule: str) -> None:
        super().__init__()
        self.rule = rule

    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        if func is torch.nn.functional.scaled_dot_product_attention:
            raise RuntimeError(
                "the model uses fused scaled_dot_product_attention; LRP needs eager attention "
                "(model.set_attn_implementation('eager'))"
            )
        result = func(*args, **(kwargs or {}))
        if self.rule == "constant" and func in self._SOFTMAX:
            return result.detach()
        if (
            self.rule == "attnlrp"
            and func in self._PRODUCTS
            and all(isinstance(a, torch.Tensor) and a.requires_grad for a in args[:2])
        ):
            return HalfGradient.apply(result)
        return result


def use_eager_attention(model: torch.nn.Module) -> None:
    """Switch a Hugging Face model to eager attention, whose softmax and products are
    explicit operations the attention rules can act on (fused SDPA kernels hide them).

    A model already on eager attention is left as it is: passes in other threads may be
    reading its configuration."""
    if getattr(getattr(model, "config", None), "_attn_implementation", None) == "eager":
        return
    if hasattr(model, "set_attn_implementation"):
        model.set_attn_implementation("eager")
    elif hasattr(model, "config"):
        model.config._attn_implementation = "eager"


@contextlib.contextmanager
def transformer_lrp_rules(
    model: torch.nn.Module, rules: RuleSpec = None, attention: str = "constant"
) -> Iterator[None]:
    """Within the block, ``model``'s gradients are LRP (see the module docstring), in this
    thread only: the layer hooks act in the thread that installs them
    (:mod:`symxai.backends.lrp.thread_hooks`) and the attention rule is a torch function
    mode, which PyTorch keeps per thread."""
    if attention not in ATTENTION_RULES:
        raise ValueError(f"attention must be one of {ATTENTION_RULES}, got {attention!r}")
    use_eager_attention(model)
    handles = []

    def layer_norm(module: torch.nn.Module, args: tuple[torch.Tensor, ...], output: Any) -> Any:
        x = args[0]
        mean = x.mean(dim=-1, keepdim=True)
        sigma = (x.var(dim=-1, keepdim=True, unbiased=False) + module.eps).sqrt()
        normalised = (x - mean) / sigma.detach()
        if module.weight is not None:
            normalised = normalised * module.weight
        if module.bias is not None:
            normalised = normalised + module.bias
        return normalised

    def identity(module: torch.nn.Module, args: tuple[torch.Tensor, ...], output: Any) -> Any:
        return _IdentityRule.apply(args[0], output)

    for module in model.modules():
        if isinstance(module, torch.nn.LayerNorm):
            handles.append(register_thread_hook(module, layer_norm))
        elif type(module).__name__ in _ACTIVATIONS:
            handles.append(register_thread_hook(module, identity))
    try:
        with lrp_hooks(model, rules), _AttentionRule(attention):
            yield
    finally:
        for handle in handles:
            handle.remove()


def _encoder_parts(model: torch.nn.Module) -> tuple[torch.nn.Module, Sequence[torch.nn.Module]]:
    """The embeddings module and the encoder layers of a BERT/ViT-like model
    (``encoder.layer`` in BERT, ``layers`` in the ViT of transformers 5)."""
    base = getattr(model, "base_model", model)
    embeddings = getattr(base, "embeddings", None)
    layers = None
    for owner in (getattr(base, "encoder", None), base):
        for name in ("layer", "layers"):
            candidate = getattr(owner, name, None) if owner is not None else None
            if isinstance(candidate, torch.nn.ModuleList) and layers is None:
                layers = candidate
    if embeddings is None or layers is None:
        raise FeatureSpaceError(
            f"{type(model).__name__} has no embeddings + encoder.layer structure (BERT/ViT-like "
            "Hugging Face model expected); use the perturbation backend"
        )
    return embeddings, list(layers)


@dataclass
class _MaskedPass:
    """What the hooks of one masked pass record: the embedding output (whose gradient
    gives the relevance) and the count of encoder-layer calls so far."""

    states: torch.Tensor | None = None
    calls: int = 0


class TransformerLRPBackend(Backend):
    """Token-set relevance ``v(S)`` of a Hugging Face encoder classifier on one input.

    Threads: passes may run at once in several threads on one shared model; see
    :mod:`symxai.backends.lrp.thread_hooks` for what is guaranteed.

    Parameters
    ----------
    model:
        ``BertForSequenceClassification``, ``ViTForImageClassification`` or a similar
        encoder model with eager attention (set when this backend is created).
    inputs:
        Model keyword inputs for one example (batch of 1): ``input_ids``,
        ``attention_mask``, ``token_type_ids`` or ``pixel_values``.
    token_groups:
        Token positions of each feature (a word's sub-word pieces, a patch's token).
        Tokens in no group (``[CLS]``, ``[SEP]``) are always on. Default: every token is
        a feature except ``[CLS]`` (position 0) and, for text (``input_ids``), the final
        ``[SEP]``.
    target, rules:
        As for the other backends: an output index, ``(i, j)`` or a function; LRP rules
        for the linear layers.
    attention:
        ``"constant"`` (softmax held constant) or ``"attnlrp"``.
    batch_size:
        Coalitions per batched pass.
    shared_forward:
        ``True`` (default): one forward pass of the input serves all coalitions and only
        the masked backward pass is batched
        (:mod:`symxai.backends.transformer_shared_forward`; both attention rules).
        ``False``: one forward/backward pass of ``batch_size`` input copies per batch.
        Both give the same values (up to float summation order); the parameters are
        frozen during either pass (:mod:`symxai.backends.lrp.frozen`).
    """

    name = "transformer-lrp"

    def __init__(
        self,
        model: torch.nn.Module,
        inputs: Mapping[str, torch.Tensor],
        *,
        token_groups: Sequence[Sequence[int]] | None = None,
        target: Target = None,
        rules: RuleSpec = None,
        attention: str = "constant",
        batch_size: int = 64,
        shared_forward: bool = True,
    ) -> None:
        if attention not in ATTENTION_RULES:
            raise ValueError(f"attention must be one of {ATTENTION_RULES}, got {attention!r}")
        self.model = model.eval()
        use_eager_attention(model)
        self.inputs = {key: value.detach() for key, value in inputs.items()}
        first = next(iter(self.inputs.values()))
        if first.shape[0] != 1:
            raise FeatureSpaceError(f"inputs must be a batch of one example, got {first.shape[0]}")
        self.embeddings, self.layers = _encoder_parts(model)
        self.num_tokens = self._count_tokens()
        if token_groups is None:
            last = self.num_tokens - 1 if "input_ids" in self.inputs else self.num_tokens
            token_groups = [[position] for position in range(1, last)]
        self.token_groups = [sorted(int(t) for t in group) for group in token_groups]
        self.n = len(self.token_groups)
        if self.n == 0:
            raise FeatureSpaceError("no features: token_groups is empty")
        seen = [t for group in self.token_groups for t in group]
        if any(not group for group in self.token_groups):
            raise FeatureSpaceError("every feature needs at least one token")
        if len(seen) != len(set(seen)) or min(seen) < 0 or max(seen) >= self.num_tokens:
            raise FeatureSpaceError(
                f"token groups must be disjoint positions in 0..{self.num_tokens - 1}"
            )
        self.token_of_feature = np.zeros((self.n, self.num_tokens), dtype=bool)
        for feature, group in enumerate(self.token_groups):
            self.token_of_feature[feature, group] = True
        self.always_on = ~self.token_of_feature.any(axis=0)
        self.target = target
        self.rules = rules
        self.attention = attention
        self.batch_size = batch_size
        self.shared_forward = shared_forward

    def _count_tokens(self) -> int:
        captured: list[torch.Tensor] = []
        handle = register_thread_hook(self.embeddings, lambda m, a, out: captured.append(out))
        try:
            with torch.no_grad():
                self.model(**self.inputs)
        finally:
            handle.remove()
        return int(captured[0].shape[1])

    @contextlib.contextmanager
    def _masking(self, masks: torch.Tensor) -> Iterator[_MaskedPass]:
        """Gradient masks on the embedding output (layer 0, ``masks[0]``) and after every
        encoder layer (``masks[t]`` after the ``t``-th), acting in this thread only; the
        embedding output and the count of layer calls go to the yielded
        :class:`_MaskedPass`."""
        state = _MaskedPass()

        def embedding_hook(module: torch.nn.Module, args: Any, output: torch.Tensor) -> Any:
            state.states = output.detach().requires_grad_()
            return MaskGradient.apply(state.states, masks[0])

        def layer_hook(module: torch.nn.Module, args: Any, output: Any) -> Any:
            state.calls += 1
            states = output[0] if isinstance(output, tuple) else output
            masked = MaskGradient.apply(states, masks[state.calls])
            return (masked, *output[1:]) if isinstance(output, tuple) else masked

        handles = [register_thread_hook(self.embeddings, embedding_hook)]
        handles += [register_thread_hook(layer, layer_hook) for layer in self.layers]
        try:
            yield state
        finally:
            for handle in handles:
                handle.remove()

    def _batched_inputs(self, copies: int) -> dict[str, torch.Tensor]:
        return {
            key: value.expand(copies, *value.shape[1:]).contiguous()
            for key, value in self.inputs.items()
        }

    def token_relevance_batch(self, token_masks: np.ndarray) -> np.ndarray:
        """Per-token relevance ``[B, T]`` with layer-wise token masks ``[B, L+1, T]``."""
        if self.shared_forward:
            return shared_forward_token_relevance(
                self.model,
                self.inputs,
                self.embeddings,
                self.layers,
                token_masks,
                target=self.target,
                lrp_rules=transformer_lrp_rules(self.model, self.rules, self.attention),
                batch_size=self.batch_size,
            )
        return self.copies_token_relevance_batch(token_masks)

    def copies_token_relevance_batch(self, token_masks: np.ndarray) -> np.ndarray:
        """:meth:`token_relevance_batch` by one forward/backward pass of ``batch_size``
        input copies per batch (each copy masked by its coalition)."""
        out = []
        for start in range(0, token_masks.shape[0], self.batch_size):
            chunk = token_masks[start : start + self.batch_size]
            copies = chunk.shape[0]
            masks = torch.as_tensor(chunk).permute(1, 0, 2).unsqueeze(-1)
            masks = masks.to(next(self.model.parameters()).dtype)
            with (
                torch.enable_grad(),
                frozen_parameters(self.model),
                transformer_lrp_rules(self.model, self.rules, self.attention),
                self._masking(masks) as state,
            ):
                output = self.model(**self._batched_inputs(copies))
                selected = select_target(output, self.target)
                states = state.states
                (gradient,) = torch.autograd.grad(selected.sum(), states)
            out.append((states * gradient).sum(-1).detach().double().cpu().numpy())
        return np.concatenate(out) if out else np.empty((0, self.num_tokens))

    def _token_masks(self, masks: np.ndarray) -> np.ndarray:
        tokens = (masks.astype(np.int64) @ self.token_of_feature.astype(np.int64)) > 0
        tokens |= self.always_on
        return np.repeat(tokens[:, None, :], len(self.layers) + 1, axis=1)

    def value(self, masks: np.ndarray) -> np.ndarray:
        """``v(S)`` for feature masks ``[B, n]``."""
        masks = np.asarray(masks, dtype=bool)
        return self.token_relevance_batch(self._token_masks(masks)).sum(axis=1)

    def prediction(self) -> float:
        """The explained output (plain forward)."""
        with torch.no_grad():
            return float(select_target(self.model(**self.inputs), self.target)[0])

    def token_relevance(self) -> np.ndarray:
        """LRP relevance of every token (all tokens on): a heatmap over the input."""
        everything = np.ones((1, len(self.layers) + 1, self.num_tokens), dtype=bool)
        return self.token_relevance_batch(everything)[0]

    def feature_relevance(self) -> np.ndarray:
        """LRP relevance of every feature: the summed relevance of its tokens."""
        return self.token_of_feature.astype(np.float64) @ self.token_relevance()

    def bias_absorption(self) -> float:
        """``f(x) - v(all)``: what biases absorb."""
        return self.prediction() - float(self(np.ones((1, self.n), dtype=bool))[0])
