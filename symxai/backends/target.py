"""Target selection: one explained number per sample from a batched model output."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch

__all__ = ["Target", "output_names_of", "resolve_target", "select_target", "target_name"]

Target = int | tuple[int, int] | Callable[[torch.Tensor], torch.Tensor] | None
"""Output index, ``(i, j)`` for the logit difference ``f_i - f_j``, a function of the
output batch, or ``None`` for a model with one output per sample."""


def select_target(output: Any, target: Target) -> torch.Tensor:
    """Reduce a batched model output ``[B, ...]`` to one number per sample ``[B]``:
    ``f(x)_target``, ``f_i - f_j`` for ``target=(i, j)``, or ``target(output)``.
    Outputs with a ``logits`` attribute (Hugging Face) are reduced through their logits."""
    if hasattr(output, "logits"):
        output = output.logits
    if not isinstance(output, torch.Tensor):
        raise TypeError(f"the model returned {type(output).__name__}, expected a tensor")
    if callable(target):
        selected = target(output)
    elif target is None:
        selected = output.reshape(output.shape[0], -1)
        if selected.shape[1] != 1:
            raise ValueError(
                f"the model has {selected.shape[1]} outputs per sample: pass target=<index>, "
                "target=(i, j) for a logit difference, or a function of the output"
            )
        selected = selected[:, 0]
    elif isinstance(target, tuple):
        first, second = target
        flat = output.reshape(output.shape[0], -1)
        selected = flat[:, first] - flat[:, second]
    else:
        flat = output.reshape(output.shape[0], -1)
        if not -flat.shape[1] <= int(target) < flat.shape[1]:
            raise ValueError(
                f"target {target} is out of range for {flat.shape[1]} outputs: the model has "
                f"{flat.shape[1]} output{'' if flat.shape[1] == 1 else 's'} per sample"
            )
        selected = flat[:, int(target)]
    return selected.reshape(-1)


_NAME_ATTRIBUTES = ("output_names", "task_names")
_TASK_NAME = re.compile(r"task[_ ]?(\d+)")


def output_names_of(model: Any) -> tuple[str, ...] | None:
    """The names a model declares for its outputs: an attribute ``output_names`` or
    ``task_names`` (a sequence of strings), or the same entry of a ``config`` mapping;
    ``None`` where it declares none."""
    config = getattr(model, "config", None)
    sources = [getattr(model, key, None) for key in _NAME_ATTRIBUTES]
    if isinstance(config, Mapping):
        sources += [config.get(key) for key in _NAME_ATTRIBUTES]
    for names in sources:
        if (
            isinstance(names, Sequence)
            and not isinstance(names, str)
            and names
            and all(isinstance(name, str) for name in names)
        ):
            return tuple(names)
    return None


def resolve_target(
    target: Any, names: Sequence[str] | None = None, count: int | None = None
) -> Any:
    """A target with output names replaced by indices and indices checked.

    ``"logS"`` becomes the position of ``logS`` in ``names``; ``"task_3"`` (or
    ``"task 3"``) becomes ``3``; a pair is resolved element-wise. An unknown name raises
    ``ValueError`` listing the names, an index outside ``0..count-1`` one naming the
    number of outputs (``count=None``: not checked). Other targets (``None``, a callable)
    are returned as they are."""
    if isinstance(target, (tuple, list)):
        return tuple(resolve_target(part, names, count) for part in target)
    if isinstance(target, str):
        if names is not None and target in names:
            return list(names).index(target)
        numbered = _TASK_NAME.fullmatch(target.strip())
        if numbered is None:
            known = (
                f"the model's outputs are {', '.join(names)}"
                if names
                else ("the model declares no output names (output_names or task_names)")
            )
            raise ValueError(f"unknown target {target!r}: {known}; or give an index or task_<i>")
        target = int(numbered[1])
    in_range = count is None or not isinstance(target, int) or -count <= target < count
    if not in_range:
        raise ValueError(
            f"target {target} is out of range: the model has {count} output"
            f"{'' if count == 1 else 's'} (0..{count - 1})"
        )
    return target


def target_name(target: Any, names: Sequence[str] | None = None, node: int | None = None) -> str:
    """The explained target in words: ``"logS"`` or ``"task 2"`` for an output,
    ``"mutagen - nonmutagen"`` for a logit difference, ``"output"`` for the single
    output of a regressor (``target=None``), a function's name; ``" at node 4"`` for a
    node-level output."""

    def output(index: Any) -> str:
        if isinstance(index, int) and names is not None and -len(names) <= index < len(names):
            return names[index]
        return f"task {index}"

    if target is None:
        text = names[0] if names is not None and len(names) == 1 else "output"
    elif isinstance(target, tuple) and len(target) == 2:
        text = f"{output(target[0])} - {output(target[1])}"
    elif callable(target):
        text = getattr(target, "__name__", type(target).__name__)
    else:
        text = output(target)
    return text if node is None else f"{text} at node {node}"
