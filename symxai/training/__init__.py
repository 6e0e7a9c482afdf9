"""Training the models symxai ships, and finding them again (shipped, cached or trained).

One module per model: :mod:`~symxai.training.mutagenicity` (GIN on Mutagenicity),
:mod:`~symxai.training.sentiment` (MiniLM on Rotten Tomatoes),
:mod:`~symxai.training.faces` (ViT on faces), :mod:`~symxai.training.schnet` (SchNet on
malondialdehyde), :mod:`~symxai.training.cells` (survival GIN on cell graphs, Cox
partial likelihood), :mod:`~symxai.training.properties` (PropertyGNN solubility
regressor and blood-brain barrier classifier). Each loader is a call of
:func:`~symxai.training.store.load_or_train`. Importing this package loads none of the
model libraries; its modules do.
"""

from symxai.training.store import PretrainedFolder, StateDicts, Trained, load_or_train

__all__ = ["PretrainedFolder", "StateDicts", "Trained", "load_or_train"]
