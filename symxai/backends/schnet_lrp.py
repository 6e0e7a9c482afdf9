"""LRP for stock schnetpack SchNet models: atom-set relevance, walks, trajectories.

SchNet (Schütt et al., 2018) updates atom features ``x_i`` by continuous-filter
convolutions, ``x_i <- x_i + f2out(sum_j in2f(x_j) * W(r_ij))``, and predicts the energy
as a sum of atomwise contributions ``E = sum_i MLP(x_i)``. LRP through it (the
quantum-chemistry analysis of Schnake et al., Information Fusion 2025):

* the filters ``W(r_ij)`` depend on distances only and act as weights: relevance flows
  through the atom features, never into the geometry;
* schnetpack ``Dense`` layers get the LRP rules of :mod:`symxai.backends.lrp` and their
  shifted-softplus activations the identity rule;
* the cfconv products and sums, the residual updates and the atomwise sum are linear.

The explained quantity is the energy from the ``Atomwise`` output module, i.e. the
sum of per-atom contributions before any postprocessing offsets. Atom-set relevance
uses the masking trick (as in :mod:`symxai.backends.gnn_lrp`) on the embedding and on
every interaction's updated state ``x + v``:

.. math::  v(S) = \\sum_{i \\in S} x^{(0)}_i \\cdot \\partial_{x^{(0)}_i} E^{\\text{LRP}}_S ,

many subsets (and many frames of a trajectory) in one batch of copies of the molecule.
Every pair of atoms is listed as neighbours; the model's cosine cutoff zeroes the
filters of pairs beyond it, so walks only step between atoms closer than the cutoff.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from symxai.backends.base import Backend
from symxai.backends.coalition_graph import CoalitionGraph, non_adjacent_pairs
from symxai.backends.dividends import Dividends
from symxai.backends.lrp.composite import RuleSpec, lrp_hooks
from symxai.backends.lrp.masking import MaskGradient
from symxai.backends.lrp.thread_hooks import register_thread_hook
from symxai.backends.lrp.walks import Walks
from symxai.errors import FeatureSpaceError

__all__ = ["SchNetLRPBackend", "centred_positions"]


def _schnetpack() -> Any:
    from symxai._compat import import_schnetpack

    return import_schnetpack()


def centred_positions(frames: np.ndarray) -> np.ndarray:
    """Frames ``[F, n, 3]`` (float64) with each frame's centroid moved to the origin.

    SchNet sees only interatomic distances, so a rigid shift leaves the energy and every
    relevance unchanged in exact arithmetic; the model computes in float32, where
    coordinates near 1e12 Å keep no digit of the distances. Centring in float64 before
    the cast makes a rigid shift harmless. Raises
    :class:`~symxai.errors.FeatureSpaceError` naming the first atom (and frame) whose
    coordinates are NaN or infinite.
    """
    finite = np.isfinite(frames).all(axis=2)
    if not finite.all():
        frame, atom = (int(i) for i in np.argwhere(~finite)[0])
        count = int((~finite).sum())
        raise FeatureSpaceError(
            f"the coordinates of atom {atom} in frame {frame} are NaN or infinite "
            f"({count} atom{'s' if count > 1 else ''} in all); every coordinate must be finite"
        )
    return frames - frames.mean(axis=1, keepdims=True)


@dataclass
class _MaskedPass:
    """What the hooks of one masked pass record: the embedding output (whose gradient
    gives the relevance) and the count of interaction calls so far."""

    features: torch.Tensor | None = None
    calls: int = 0


class SchNetLRPBackend(Backend):
    """Atom-set relevance ``v(S)`` of a schnetpack ``NeuralNetworkPotential`` with a SchNet
    representation, for one molecule in one or several conformations (frames).

    Threads: passes may run at once in several threads on one shared model; see
    :mod:`symxai.backends.lrp.thread_hooks` for what is guaranteed.

    Parameters
    ----------
    model:
        A stock schnetpack model (``input_modules``, ``representation`` = ``SchNet``,
        an ``Atomwise`` energy output among ``output_modules``).
    numbers:
        Atomic numbers ``[n]``.
    positions:
        Positions ``[n, 3]`` (one frame) or ``[F, n, 3]`` (a trajectory), in Å; finite,
        centred per frame in float64 (:func:`centred_positions`).
    rules:
        LRP rules for the ``Dense`` layers (default LRP-0 with the identity rule on the
        shifted softplus).
    frame:
        The frame this backend's set function explains (others via :meth:`for_frame`).
    batch_size:
        Molecule copies per forward/backward pass.
    """

    name = "schnet-lrp"

    def __init__(
        self,
        model: torch.nn.Module,
        numbers: Sequence[int] | np.ndarray | torch.Tensor,
        positions: np.ndarray | torch.Tensor,
        *,
        rules: RuleSpec = None,
        frame: int = 0,
        batch_size: int = 512,
    ) -> None:
        spk = _schnetpack()
        self.model = model.eval()
        self.numbers = torch.as_tensor(np.asarray(numbers), dtype=torch.long).reshape(-1)
        if isinstance(positions, torch.Tensor):
            positions = positions.detach().cpu().double().numpy()
        coordinates = np.array(positions, dtype=np.float64)
        if coordinates.ndim == 2:
            coordinates = coordinates[None]
        self.n = int(self.numbers.numel())
        if self.n == 0:
            raise FeatureSpaceError("the structure is empty (0 atoms): nothing to explain")
        if coordinates.ndim != 3 or coordinates.shape[1:] != (self.n, 3):
            raise FeatureSpaceError(
                f"positions must have shape [n, 3] or [frames, n, 3] with n = {self.n}, "
                f"got {tuple(coordinates.shape)}"
            )
        self.frames = torch.as_tensor(centred_positions(coordinates), dtype=torch.float32)
        self.frame = frame
        self.rules = rules
        self.batch_size = batch_size
        self._properties = spk.properties
        self.representation = getattr(model, "representation", None)
        outputs = getattr(model, "output_modules", [])
        atomwise = [m for m in outputs if isinstance(m, spk.atomistic.Atomwise)]
        if not isinstance(self.representation, spk.representation.SchNet) or not atomwise:
            raise FeatureSpaceError(
                f"{type(model).__name__} is not a schnetpack model with a SchNet representation "
                "and an Atomwise output"
            )
        self.atomwise = atomwise[0]
        self.num_layers = len(self.representation.interactions)
        pairs = torch.cartesian_prod(torch.arange(self.n), torch.arange(self.n))
        self._pairs = pairs[pairs[:, 0] != pairs[:, 1]]

    # ----------------------------------------------------------- plumbing
    def for_frame(self, frame: int) -> SchNetLRPBackend:
        """A view of this backend explaining another frame (shares model and frames)."""
        other = object.__new__(SchNetLRPBackend)
        other.__dict__.update(self.__dict__)
        other.frame = frame
        return other

    def _inputs(self, frames: torch.Tensor) -> dict[str, torch.Tensor]:
        """One schnetpack input dict holding the molecule once per entry of ``frames``."""
        p = self._properties
        copies = int(frames.shape[0])
        shift = (torch.arange(copies) * self.n).repeat_interleave(len(self._pairs))
        return {
            p.Z: self.numbers.repeat(copies),
            p.R: self.frames[frames].reshape(-1, 3).clone(),
            p.idx_m: torch.arange(copies).repeat_interleave(self.n),
            p.n_atoms: torch.full((copies,), self.n, dtype=torch.long),
            p.idx_i: self._pairs[:, 0].repeat(copies) + shift,
            p.idx_j: self._pairs[:, 1].repeat(copies) + shift,
            p.offsets: torch.zeros(copies * len(self._pairs), 3),
            p.cell: torch.zeros(copies, 3, 3),
            p.pbc: torch.zeros(copies, 3, dtype=torch.bool),
        }

    @contextlib.contextmanager
    def _masking(self, masks: torch.Tensor) -> Iterator[_MaskedPass]:
        """Gradient masks on the embeddings (layer 0, ``masks[0]``) and on ``x + v`` after
        every interaction (``masks[t]`` after the ``t``-th): the hook returns
        ``mask(v) + mask(x) - x``, which leaves the forward value and makes the residual
        update's gradient the masked identity. The hooks act in this thread only and keep
        their state (the embedding output, the count of interactions) in the yielded
        :class:`_MaskedPass`."""
        state = _MaskedPass()

        def embedding(module: torch.nn.Module, args: Any, output: torch.Tensor) -> Any:
            state.features = output
            return MaskGradient.apply(output, masks[0])

        def interaction(module: torch.nn.Module, args: Any, output: torch.Tensor) -> Any:
            state.calls += 1
            mask = masks[state.calls]
            x = args[0]
            return MaskGradient.apply(output, mask) + MaskGradient.apply(x, mask) - x

        handles = [register_thread_hook(self.representation.embedding, embedding)]
        handles += [
            register_thread_hook(block, interaction) for block in self.representation.interactions
        ]
        try:
            yield state
        finally:
            for handle in handles:
                handle.remove()

    def _energy(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        for module in self.model.input_modules:
            inputs = module(inputs)
        inputs = self.representation(inputs)
        return self.atomwise(inputs)[self.atomwise.output_key].reshape(-1)

    # ------------------------------------------------------------ relevance
    def layer_relevance(
        self, layer_masks: np.ndarray, frames: np.ndarray | None = None
    ) -> np.ndarray:
        """Relevance ``[B]`` of the walks allowed by layer masks ``[B, T+1, n]``, row ``b``
        in frame ``frames[b]`` (default: this backend's frame)."""
        layer_masks = np.asarray(layer_masks, dtype=bool)
        if layer_masks.ndim != 3 or layer_masks.shape[1:] != (self.num_layers + 1, self.n):
            raise FeatureSpaceError(
                f"layer masks must have shape [B, {self.num_layers + 1}, {self.n}], "
                f"got {layer_masks.shape}"
            )
        if frames is None:
            frames = np.full(layer_masks.shape[0], self.frame)
        out = []
        for start in range(0, layer_masks.shape[0], self.batch_size):
            chunk = torch.as_tensor(layer_masks[start : start + self.batch_size])
            which = torch.as_tensor(frames[start : start + self.batch_size], dtype=torch.long)
            masks = chunk.permute(1, 0, 2).reshape(self.num_layers + 1, -1, 1).float()
            with (
                torch.enable_grad(),
                lrp_hooks(self.model, self.rules),
                self._masking(masks) as state,
            ):
                energy = self._energy(self._inputs(which))
                features = state.features
                (gradient,) = torch.autograd.grad(energy.sum(), features)
            per_atom = (features * gradient).sum(-1).reshape(len(which), self.n)
            out.append(per_atom.sum(1).detach().double().numpy())
        return np.concatenate(out) if out else np.empty(0)

    def value(self, masks: np.ndarray) -> np.ndarray:
        """``v(S)`` for atom masks ``[B, n]`` in this backend's frame."""
        masks = np.asarray(masks, dtype=bool)
        return self.layer_relevance(np.repeat(masks[:, None, :], self.num_layers + 1, axis=1))

    def frame_values(self, masks: np.ndarray, frames: np.ndarray) -> np.ndarray:
        """``v_f(S)`` for many (frame, atom mask) pairs in one batched computation."""
        masks = np.asarray(masks, dtype=bool)
        layer_masks = np.repeat(masks[:, None, :], self.num_layers + 1, axis=1)
        return self.layer_relevance(layer_masks, np.asarray(frames))

    def prediction(self) -> float:
        """The model's energy contribution sum (Atomwise output, before offsets)."""
        with torch.no_grad():
            return float(self._energy(self._inputs(torch.tensor([self.frame])))[0])

    def feature_relevance(self) -> np.ndarray:
        """LRP relevance of every atom (walks starting there)."""
        masks = np.ones((self.n, self.num_layers + 1, self.n), dtype=bool)
        masks[:, 0, :] = np.eye(self.n, dtype=bool)
        return self.layer_relevance(masks)

    def bias_absorption(self) -> float:
        """``E - v(all atoms)``: what the biases of the Dense layers absorb."""
        return self.prediction() - float(self(np.ones((1, self.n), dtype=bool))[0])

    # ---------------------------------------------------------------- walks
    def walks(self, top: int | None = None) -> Walks:
        """All walks ``(i_0, ..., i_T)`` over the atoms with their relevance (every step may
        go to any atom; steps beyond the cutoff carry zero relevance); with ``top``, the
        ``top`` walks of largest ``|R_W|``."""
        grids = np.meshgrid(*[np.arange(self.n)] * (self.num_layers + 1), indexing="ij")
        walks = np.stack([g.reshape(-1) for g in grids], axis=1)
        masks = np.zeros((len(walks), self.num_layers + 1, self.n), dtype=bool)
        rows = np.repeat(np.arange(len(walks)), self.num_layers + 1)
        layers = np.tile(np.arange(self.num_layers + 1), len(walks))
        masks[rows, layers, walks.reshape(-1)] = True
        relevance = self.layer_relevance(masks)
        if top is not None:
            order = np.argsort(-np.abs(relevance), kind="stable")[:top]
            walks, relevance = walks[order], relevance[order]
        return Walks(walks, relevance, self.n, exact=True)

    def coalition_graph(self) -> CoalitionGraph | None:
        """The cutoff graph of this frame: atoms closer than the cutoff radius. The cosine
        (or mollifier) cutoff makes the filter ``W(r_ij)`` exactly 0 at ``r_ij >= r_c``, so
        a walk steps only between such atoms and every dividend is 0 unless its atoms are
        connected in this graph and number at most ``num_layers + 1``. ``None`` for another
        cutoff function. Distances are compared with a relative margin of ``1e-5`` (the
        model computes them in float32), which can only add edges."""
        spk = _schnetpack()
        cutoff_fn = getattr(self.representation, "cutoff_fn", None)
        if not isinstance(cutoff_fn, (spk.nn.CosineCutoff, spk.nn.MollifierCutoff)):
            return None
        cutoff = float(cutoff_fn.cutoff.reshape(-1)[0])
        positions = self.frames[self.frame].double().numpy()
        distances = np.linalg.norm(positions[:, None, :] - positions[None, :, :], axis=-1)
        edges = np.stack(np.nonzero(distances < cutoff * (1 + 1e-5)))
        pairs = non_adjacent_pairs(self.n, edges, 4)
        return CoalitionGraph(self.n, edges, self.num_layers + 1, check_pairs=pairs)

    def exact_dividends(self) -> Dividends | None:
        """Exact Harsanyi dividends from all walks (``n^(T+1)`` walks; ``None`` if above 10^6)."""
        if self.n ** (self.num_layers + 1) > 1_000_000:
            return None
        return self.walks().dividends()
